"""Carrier collaboration: a shipper's links to carrier organizations, assignment rules, and the carrier's side."""
