# Run inside the example project (manage.py shell -c): print the settings under test.
import json

from django.conf import settings

db = settings.DATABASES["default"]
print(
    json.dumps(
        {
            "database": {
                "ENGINE": db["ENGINE"],
                "NAME": str(db["NAME"]),
                "OPTIONS": db.get("OPTIONS", {}),
                "CONN_MAX_AGE": db.get("CONN_MAX_AGE"),
            },
            "caches": settings.CACHES,
            "q_cluster": settings.Q_CLUSTER,
            "thred": settings.THRED,
            "thred_sandbox": settings.THRED_SANDBOX,
            "installed_apps": settings.INSTALLED_APPS,
        },
        default=str,
    )
)
