from allauth.headless.contrib.rest_framework.authentication import XSessionTokenAuthentication


class SessionTokenAuthentication(XSessionTokenAuthentication):
    """allauth's app-client token, answering 401 (not 403) when credentials are missing,
    so clients can tell "log in" from "not allowed"."""

    def authenticate_header(self, request) -> str:
        return 'X-Session-Token realm="api"'
