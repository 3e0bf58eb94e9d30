"""Alerts on asset checks and failed runs, sent to the channels the user configures."""
