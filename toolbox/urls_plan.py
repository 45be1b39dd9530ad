"""Routes of the toolbox: plan (filled by its views module)."""

urlpatterns = []
