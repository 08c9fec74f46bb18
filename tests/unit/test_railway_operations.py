"""Every GraphQL document the Railway target sends is valid against Railway's published schema."""

from __future__ import annotations

import graphql
import pytest

from components.targets.railway import operations
from tests.unit.railway_fake import SCHEMA_FILE



@pytest.fixture(scope="module")
def schema() -> graphql.GraphQLSchema:
    if not SCHEMA_FILE.exists():
        pytest.fail(f"{SCHEMA_FILE} is missing (the shared reference sits beside the repository)")
    # assume_valid: the published file breaks one deprecation rule (Team.id) and is otherwise sound.
    return graphql.build_schema(SCHEMA_FILE.read_text(), assume_valid=True)


@pytest.mark.parametrize("name", sorted(operations.ALL))
def test_operation_is_valid_against_the_railway_schema(schema, name):
    errors = graphql.validate(schema, graphql.parse(operations.ALL[name]))
    assert not errors, [e.message for e in errors]


def test_the_validation_catches_a_wrong_variable_type(schema):
    wrong = operations.DEPLOY.replace("$environmentId: String!", "$environmentId: Int!")
    assert graphql.validate(schema, graphql.parse(wrong))


def test_every_operation_is_named_as_the_fake_api_expects():
    for document in operations.ALL.values():
        kind, name = document.split()[:2]
        assert kind in ("query", "mutation") and name.split("(")[0].isidentifier()


def test_the_fake_api_refuses_an_input_field_the_schema_does_not_have():
    from tests.unit.railway_fake import check_against_schema

    with pytest.raises(AssertionError, match="tags"):
        check_against_schema(operations.ENVIRONMENT_CREATE,
                             {"input": {"projectId": "p", "name": "staging", "tags": []}})
