from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "Minor-safety assessments"

    def ready(self):
        from accounts import login_throttle  # noqa: F401 - counts failed log-ins
        from assessments import checks  # noqa: F401 - registers the deploy checks
