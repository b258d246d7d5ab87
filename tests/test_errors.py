import pytest

from clusteratlas import errors as e


@pytest.mark.parametrize(
    ("cls", "builtin", "status"),
    [
        (e.InputError, ValueError, 400),
        (e.SchemaError, ValueError, 400),
        (e.UnknownCodeError, ValueError, 400),
        (e.NotFoundError, LookupError, 404),
        (e.ConfigError, ValueError, 400),
        (e.StoreError, OSError, 503),
        (e.MissingDependency, ImportError, 500),
        (e.SourceError, e.ClusteratlasError, 422),
    ],
)
def test_errors_subclass_ours_and_builtin(cls, builtin, status):
    err = cls("message")
    assert isinstance(err, e.ClusteratlasError)
    assert isinstance(err, builtin)
    assert err.http_status == status
    assert err.message == "message"


def test_warnings_are_user_warnings():
    assert issubclass(e.DegenerateDataWarning, UserWarning)
    assert issubclass(e.MethodologyWarning, e.ClusteratlasWarning)


def test_public_api_is_curated():
    import clusteratlas

    assert set(clusteratlas.__all__) == {
        "CategorySet", "Classification", "ClusterCategory", "ClusteratlasError",
        "ClusteratlasWarning", "Concordance", "ConfigError", "DegenerateDataWarning", "Industry",
        "InputError", "MethodologyWarning", "MissingDependency", "NotFoundError", "Panel",
        "Region", "Regions", "SchemaError", "SourceError", "StoreError", "UnknownCodeError",
        "__version__",
    }
    for name in clusteratlas.__all__:
        assert hasattr(clusteratlas, name)
