"""Routes of the toolbox: browse (filled by its views module)."""

urlpatterns = []
