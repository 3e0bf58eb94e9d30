"""The user's portfolio: transactions in, positions and profit and loss out."""
