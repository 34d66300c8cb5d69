"""Helpers shared by the test folders: real local servers and the processes behind them."""
