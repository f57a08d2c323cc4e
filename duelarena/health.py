"""Health endpoints outside /api. ``/health`` is LWA's readiness check: it must not touch DynamoDB."""

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from duelarena.dynamo import tables
from duelarena.errors import error_response


# csrf_exempt: GET-only and stateless; a POST must get 405, not a CSRF 403.
@csrf_exempt
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@csrf_exempt
@require_GET
def ready(request: HttpRequest) -> JsonResponse:
    if tables.is_ready():
        return JsonResponse({"status": "ok", "dynamodb": "ok"})
    return error_response(
        503, "service_unavailable", "DynamoDB is unreachable or the table does not exist", retry_after=5
    )
