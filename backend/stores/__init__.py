"""Stores: in-store pickups (scan-in, shelf, "I'm here", QR hand-over), reminders and expiry, and who works where."""
