"""The driver app's offline commands: batches applied at most once each, in the order the driver acted."""
