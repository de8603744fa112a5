"""The dispatcher's exceptions inbox: failed attempts, late stops, drivers offline, refused offline actions and
webhook failures of a day, computed from the tables that own them, and which of them were handled."""
