"""django-axes' throttling backend, for logins that come with a request (the login page, the admin)."""

from axes.backends import AxesStandaloneBackend


class LoginThrottleBackend(AxesStandaloneBackend):
    """axes refuses authenticate() without a request; code running in-process (the shell, a management
    command, a test's authenticate()) has no address to throttle, so it is left to ModelBackend."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
