"""Reading a JUnit XML file as the CI reporters do: strictly as XML 1.0 (expat refuses a
character the standard does not allow), then with `junitparser`, and checked for what
GitLab, Jenkins and GitHub Actions' reporters rely on: `testsuites` holding `testsuite`s
whose counts add up, test cases with a name, a class name and a time in seconds, and each
failure (the domain's) or error (the check could not be made from here) with a type and a
message."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from xml.etree import ElementTree

from junitparser import Error, Failure, JUnitXml, TestSuite


def read_junit(path: Path) -> list[TestSuite]:
    data = path.read_bytes()
    root = ElementTree.fromstring(data)  # raises ParseError on anything XML 1.0 forbids
    assert root.tag == "testsuites"
    document = JUnitXml.fromfile(str(path))
    suites = list(document)
    assert all(isinstance(suite, TestSuite) for suite in suites)
    assert document.tests == sum(suite.tests for suite in suites)
    assert document.failures == sum(suite.failures for suite in suites)
    assert document.errors == sum(suite.errors for suite in suites)
    for suite in suites:
        cases = list(suite)
        assert suite.name and suite.tests == len(cases)
        failed = [case for case in cases if any(isinstance(r, Failure) for r in case.result)]
        errors = [case for case in cases if any(isinstance(r, Error) for r in case.result)]
        assert suite.failures == len(failed) and suite.errors == len(errors)
        assert len(failed) + len(errors) == sum(1 for case in cases if not case.is_passed)
        assert suite.skipped == 0
        assert suite.timestamp and datetime.fromisoformat(suite.timestamp).tzinfo is None
        for case in cases:
            assert case.name and case.classname and case.time >= 0
            for result in case.result:
                assert isinstance(result, Failure | Error)
                assert result.type and result.message
    return suites
