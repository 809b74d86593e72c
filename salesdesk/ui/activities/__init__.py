"""Activities: calls, meetings, emails and tasks with due dates."""

from salesdesk.ui.activities.screen import ActivitiesScreen

__all__ = ["ActivitiesScreen"]
