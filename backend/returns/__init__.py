"""Customer returns: started from the tracking page, collected by a driver or dropped at a store, received
with a disposition (restock, repair, dispose)."""
