app_name = "fhir_api"
urlpatterns = []
