"""`api.Relation.create` for sqlfluff's jinja templater: a relation renders as `schema.identifier`."""


class Relation:
    @staticmethod
    def create(database=None, schema=None, identifier=None, **kwargs):
        return ".".join(part for part in (schema, identifier) if part)
