"""Proof of delivery: content-addressed media (photos, signatures) and the proof records drivers make."""
