"""What every domain shares: the warehouse's numbers (NUMBER(38,12) and the one rule for a value it
cannot hold)."""
