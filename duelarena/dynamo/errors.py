"""Storage-level failures. The adapter never knows HTTP; the API maps these to its error shape."""


class StoreError(Exception):
    pass


class ConditionFailed(StoreError):
    """A conditional write lost: the item changed (stale version) or already exists."""

    def __init__(self, message: str = "condition failed", reasons: list[str] | None = None):
        super().__init__(message)
        self.reasons = reasons or []


class InvalidCursor(StoreError):
    """A pagination cursor that was tampered with, expired, or belongs to another query."""


class StoreUnavailable(StoreError):
    """DynamoDB could not be reached or throttled us past the retry budget."""


class RequestBudgetExceeded(StoreUnavailable):
    """The request has spent its DynamoDB time budget (``DYNAMODB_REQUEST_BUDGET_SECONDS``): DynamoDB is
    slow rather than down, and failing fast (503) beats holding a worker for every retry."""
