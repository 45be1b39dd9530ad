"""Routes of the toolbox: pcaet (filled by its views module)."""

urlpatterns = []
