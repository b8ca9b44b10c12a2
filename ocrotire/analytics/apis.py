"""The HG 270 report and the DHIS2 export."""

from __future__ import annotations

from rest_framework.views import APIView


class Hg270Api(APIView):
    pass


class Dhis2Api(APIView):
    pass
