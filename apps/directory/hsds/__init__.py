"""HSDS 3.0 import and export of the directory.

- ``mapping``: which HSDS tables and columns CareNav holds, and on which model fields;
  CareNav's own service fields as attributes of a CareNav taxonomy.
- ``readers``: a CSV datapackage or HSDS JSON (the API's shapes) read into flat rows.
- ``validation``: every row checked (ids, required values, types, lengths, references)
  and turned into model values, with a report of what was skipped and why.
- ``importer``: the checked rows upserted by id in one transaction.
- ``exporter``: the directory written as a CSV datapackage and as HSDS JSON.
- ``schemas``: the HSDS JSON Schemas, for checking JSON against them.
"""
