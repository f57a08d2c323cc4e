"""The DynamoDB adapter: connection, table definition, keys, cursors, items, call counting.

Only this package talks to boto3 for data. Import submodules explicitly (``from duelarena.dynamo
import items``); nothing here does I/O at import time.
"""
