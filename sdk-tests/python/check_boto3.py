"""boto3 against a Cleanroom server: the essentials of the seed lab, tags, analysis templates,
association analysis rules, Glue, a protected query with S3-style output, and the error types.

Run by AwsCliIT (server module) after it has set the lab up with the AWS CLI. Reads the endpoint,
the lab's keys and ids from the environment, prints one JSON list of {"name", "ok", "detail"} as its
last line, and exits 0 (the test judges the checks). Needs boto3 with the current Clean Rooms model.
"""
import json
import os
import time
import traceback
import uuid

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

ENDPOINT = os.environ["CLEANROOM_ENDPOINT"]
LAB = json.loads(os.environ["CLEANROOM_LAB"])
CONFIG = Config(retries={"total_max_attempts": 1, "mode": "standard"})


def client(service, who, secret=None):
    return boto3.session.Session().client(
        service, endpoint_url=ENDPOINT, region_name="us-east-1", config=CONFIG,
        aws_access_key_id=LAB[who]["accessKeyId"],
        aws_secret_access_key=secret or LAB[who]["secretAccessKey"])


pub = client("cleanrooms", "publisher")
adv = client("cleanrooms", "advertiser")
checks = []


def check(name):
    def run(fn):
        try:
            detail = fn()
            checks.append({"name": name, "ok": True, "detail": detail})
        except Exception as e:  # the test prints what failed
            checks.append({"name": name, "ok": False, "detail": "".join(
                traceback.format_exception_only(type(e), e)).strip()})
        return fn
    return run


def error_of(call):
    try:
        call()
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"], str(e)
    raise AssertionError("the call succeeded")


@check("list paginated")
def _():
    pages = adv.get_paginator("list_collaborations").paginate(PaginationConfig={"PageSize": 1})
    counts, ids = [], []
    for page in pages:
        counts.append(len(page["collaborationList"]))
        ids += [c["id"] for c in page["collaborationList"]]
    assert LAB["collaborationId"] in ids, ids
    assert len(ids) == len(set(ids)), ids
    assert all(c <= 1 for c in counts), counts
    return {"ids": len(ids), "pages": len(counts)}


@check("get")
def _():
    c = pub.get_collaboration(collaborationIdentifier=LAB["collaborationId"])["collaboration"]
    assert c["name"] == LAB["collaborationName"], c["name"]
    return c["arn"]


@check("tags")
def _():
    arn = pub.get_collaboration(collaborationIdentifier=LAB["collaborationId"])["collaboration"]["arn"]
    pub.tag_resource(resourceArn=arn, tags={"team": "ads & analytics", "cost+center": "42/7"})
    tags = pub.list_tags_for_resource(resourceArn=arn)["tags"]
    assert tags == {"team": "ads & analytics", "cost+center": "42/7"}, tags
    pub.untag_resource(resourceArn=arn, tagKeys=["cost+center"])
    tags = pub.list_tags_for_resource(resourceArn=arn)["tags"]
    assert tags == {"team": "ads & analytics"}, tags
    pub.untag_resource(resourceArn=arn, tagKeys=["team"])
    return tags


@check("analysis template")
def _():
    sql = ("SELECT a.campaign, COUNT(DISTINCT a.user_id_hash) AS users FROM advertiser_audience a "
           "JOIN publisher_audience p ON a.user_id_hash = p.user_id_hash WHERE p.segment = :segment "
           "GROUP BY a.campaign")
    t = adv.create_analysis_template(
        membershipIdentifier=LAB["advertiserMembership"], name="boto3_overlap", format="SQL",
        source={"text": sql},
        analysisParameters=[{"name": "segment", "type": "VARCHAR", "defaultValue": "news"}])["analysisTemplate"]
    got = adv.get_analysis_template(membershipIdentifier=LAB["advertiserMembership"],
                                    analysisTemplateIdentifier=t["id"])["analysisTemplate"]
    assert got["source"]["text"] == sql
    assert sorted(got["schema"]["referencedTables"]) == ["advertiser_audience", "publisher_audience"], got
    listed = adv.list_analysis_templates(membershipIdentifier=LAB["advertiserMembership"])
    assert t["id"] in [s["id"] for s in listed["analysisTemplateSummaries"]]
    seen = pub.list_collaboration_analysis_templates(collaborationIdentifier=LAB["collaborationId"])
    assert t["arn"] in [s["arn"] for s in seen["collaborationAnalysisTemplateSummaries"]]
    adv.delete_analysis_template(membershipIdentifier=LAB["advertiserMembership"],
                                 analysisTemplateIdentifier=t["id"])
    return t["arn"]


@check("association analysis rule")
def _():
    key = dict(membershipIdentifier=LAB["publisherMembership"],
               configuredTableAssociationIdentifier=LAB["publisherAssociation"], analysisRuleType="AGGREGATION")
    pub.create_configured_table_association_analysis_rule(
        **key, analysisRulePolicy={"v1": {"aggregation": {"allowedResultReceivers": [LAB["advertiser"]["accountId"]]}}})
    rule = pub.get_configured_table_association_analysis_rule(**key)["analysisRule"]
    receivers = rule["policy"]["v1"]["aggregation"]["allowedResultReceivers"]
    assert receivers == [LAB["advertiser"]["accountId"]], receivers
    pub.delete_configured_table_association_analysis_rule(**key)
    return receivers


@check("glue")
def _():
    glue = client("glue", "publisher")
    table = glue.get_table(DatabaseName="cleanrooms_lab", Name="publisher_audience")["Table"]
    location = table["StorageDescriptor"]["Location"]
    glue.create_table(DatabaseName="cleanrooms_lab", TableInput={
        "Name": "boto3_copy", "Parameters": {"classification": "csv"},
        "StorageDescriptor": {"Location": location,
                              "Columns": [{"Name": "user_id_hash", "Type": "string"},
                                          {"Name": "segment", "Type": "string"}]}})
    copy = glue.get_table(DatabaseName="cleanrooms_lab", Name="boto3_copy")["Table"]
    assert copy["StorageDescriptor"]["Location"] == location
    assert [c["Name"] for c in copy["StorageDescriptor"]["Columns"]] == ["user_id_hash", "segment"]
    names = [t["Name"] for t in glue.get_tables(DatabaseName="cleanrooms_lab")["TableList"]]
    assert "boto3_copy" in names and "publisher_audience" in names, names
    glue.delete_table(DatabaseName="cleanrooms_lab", Name="boto3_copy")
    return location


@check("query")
def _():
    q = adv.start_protected_query(
        type="SQL", membershipIdentifier=LAB["advertiserMembership"],
        sqlParameters={"queryString": LAB["overlapQuery"]},
        resultConfiguration={"outputConfiguration": {"s3": {
            "resultFormat": "CSV", "bucket": LAB["bucket"], "keyPrefix": "boto3"}}})["protectedQuery"]
    deadline = time.time() + 120
    while True:
        got = adv.get_protected_query(membershipIdentifier=LAB["advertiserMembership"],
                                      protectedQueryIdentifier=q["id"])["protectedQuery"]
        if got["status"] not in ("SUBMITTED", "STARTED") or time.time() > deadline:
            break
        time.sleep(0.2)
    assert got["status"] == "SUCCESS", got
    location = got["result"]["output"]["s3"]["location"]
    assert location == "s3://%s/boto3/%s/result.csv" % (LAB["bucket"], q["id"]), location
    return location


@check("not found")
def _():
    code, status, _ = error_of(lambda: pub.get_collaboration(collaborationIdentifier=str(uuid.uuid4())))
    assert (code, status) == ("ResourceNotFoundException", 404), (code, status)
    return code


@check("validation")
def _():
    code, status, message = error_of(lambda: pub.list_collaborations(maxResults=500))
    assert (code, status) == ("ValidationException", 400), (code, status, message)
    return message


@check("glue not found")
def _():
    glue = client("glue", "publisher")
    code, status, _ = error_of(lambda: glue.get_table(DatabaseName="cleanrooms_lab", Name="no_such_table"))
    assert (code, status) == ("EntityNotFoundException", 400), (code, status)
    return code


@check("bad signature")
def _():
    secret = LAB["publisher"]["secretAccessKey"]
    # the first character changed: never the secret itself, whatever it starts with
    wrong = client("cleanrooms", "publisher", secret=("y" if secret[0] == "x" else "x") + secret[1:])
    code, status, message = error_of(lambda: wrong.list_collaborations())
    assert (code, status) == ("AccessDeniedException", 403), (code, status)
    assert "signature we calculated does not match" in message, message
    return message


print(json.dumps(checks))
