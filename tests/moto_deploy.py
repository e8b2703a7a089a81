"""Deploy what the mocked Pulumi program registered into moto (tests and benchmarks only).

Each recorded resource's inputs become the matching EC2/IAM/Logs call, in registration
order; mock ids (`ec2/vpc:hub`) are mapped to the ids moto hands out. This stands in for
`pulumi up`, which cannot run here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3

from foundation.config.yamlio import load_yaml
from foundation.offline.mockrun import Recording, Registration, provider_input, run_program
from tests import moto_services
from tests.moto_hybrid import create_hybrid

REPO = Path(__file__).resolve().parent.parent


def _tags(inputs: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    tags = inputs.get("tags") or {}
    return [{"ResourceType": kind, "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}]


def record_stack(project: Path, stack: str, **options: Any) -> Recording:
    """Run the program for a stack under the mock engine (as `pulumi up`)."""
    config = load_yaml(project / "stacks" / f"Pulumi.{stack}.yaml")["config"]
    return run_program(
        REPO / "__main__.py",
        stack,
        config["aws:region"],
        config["foundation:network"],
        preview=False,
        offline=True,
        project_root=project,
        **options,
    )


# What moto cannot do across accounts (DESIGN §4): a VPC attachment to another account's
# TGW, hence its acceptance and the TGW links that use it; providers and RAM are skipped.
SKIPPED = (
    "pulumi:providers:",
    "aws:ram/",
    ACCEPTER_TYPE := "aws:ec2transitgateway/vpcAttachmentAccepter",
    # moto has no Network Firewall policies, rule groups or logging (HTTP 500): DESIGN §4
    "aws:networkfirewall/firewallPolicy:",
    "aws:networkfirewall/ruleGroup:",
    "aws:networkfirewall/loggingConfiguration:",
)


def account_session(account_id: str, region: str = "us-east-1") -> boto3.session.Session:
    """A boto3 session acting in another moto account (moto honours any assumed role)."""
    creds = boto3.client("sts", region_name=region).assume_role(
        RoleArn=f"arn:aws:iam::{account_id}:role/test-setup", RoleSessionName="test-setup"
    )["Credentials"]
    return boto3.session.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name=region,
    )


def deploy(
    recording: Recording, region: str = "us-east-1", known: dict[str, str] | None = None
) -> dict[str, str]:
    """Create every recorded resource in moto; returns mock id (and mock ARN) -> real one.

    A resource registered through an account's provider (`allowedAccountIds`) is created
    in that moto account; what moto cannot do across accounts is left out (SKIPPED).
    `known` maps mock ids of resources created earlier (a second phase) to real ids.
    """
    default = boto3.session.Session(region_name=region)
    sessions: dict[str, boto3.session.Session] = {}
    clients: dict[int, tuple[Any, ...]] = {}
    ids: dict[str, str] = dict(known or {})  # mock id -> real id of what exists already

    def real(value: Any) -> Any:
        return ids.get(value, value) if isinstance(value, str) else value

    for r in recording.custom:
        if r.type.startswith(SKIPPED):
            continue
        provider = recording.provider_of(r)
        allowed = provider_input(provider, "allowedAccountIds") if provider else None
        assumed = provider_input(provider, "assumeRoles") if provider else None
        session = default
        if allowed and assumed:
            if allowed[0] not in sessions:
                sessions[allowed[0]] = account_session(allowed[0], region)
            session = sessions[allowed[0]]
        if r.type == "aws:ec2transitgateway/vpcAttachment:VpcAttachment" and session is not default:
            continue  # moto: another account's TGW is invisible
        if any(
            isinstance(v, str) and v.startswith(ACCEPTER_TYPE.split(":")[1])
            for v in r.inputs.values()
        ):
            continue  # a TGW link through an accepted (cross-account) attachment
        if id(session) not in clients:
            clients[id(session)] = tuple(
                session.client(n, region_name=region) for n in ("ec2", "iam", "logs")
            )
        ec2, iam, logs = clients[id(session)]
        mock_id = f"{r.type.split(':')[1]}:{r.name}"
        if r.type.startswith(("aws:kms/", "aws:sns/", "aws:cloudwatch/metricAlarm")):
            created = _create_operations(r, region, real, session)
        elif moto_services.handles(r):  # shared services (DESIGN §3.15)
            created = moto_services.create(r, session, region, real)
        elif r.type == "aws:networkfirewall/firewall:Firewall":
            created = _create_firewall(r, session, ec2, real, ids)
        else:
            created = _create(r, ec2, iam, logs, real, ids)
        ids[mock_id] = created
        for ref in r.refs:  # the mock's id and id-like outputs (arn, keyId...) others carry
            ids.setdefault(ref, created)
    return ids


def _create_firewall(
    r: Registration, session: boto3.session.Session, ec2: Any, real: Any, ids: dict[str, str]
) -> str:
    """CreateFirewall (moto has it; its firewall reports no endpoints), and one Gateway Load
    Balancer endpoint per firewall subnet standing in for the firewall's endpoints."""
    i = r.inputs
    subnets = [real(m["subnetId"]) for m in i["subnetMappings"]]
    arn = session.client("network-firewall").create_firewall(
        FirewallName=i["name"],
        FirewallPolicyArn=f"arn:aws:network-firewall:us-east-1:123456789012:firewall-policy/{r.name}",
        VpcId=real(i["vpcId"]),
        SubnetMappings=[{"SubnetId": s} for s in subnets],
        DeleteProtection=bool(i.get("deleteProtection")),
        Tags=[{"Key": k, "Value": v} for k, v in i["tags"].items()],
    )["Firewall"]["FirewallArn"]
    for n, subnet in enumerate(subnets):
        ids[f"vpce-{n}"] = ec2.create_vpc_endpoint(
            VpcId=real(i["vpcId"]),
            ServiceName="com.amazonaws.vpce.us-east-1.vpce-svc-networkfirewall",
            VpcEndpointType="GatewayLoadBalancer",
            SubnetIds=[subnet],
        )["VpcEndpoint"]["VpcEndpointId"]
    return str(arn)


def _create_operations(
    r: Registration, region: str, real: Any, session: boto3.session.Session
) -> str:
    """The alarm topic, its key and subscriptions, and the CloudWatch alarms (§3.13)."""
    i = r.inputs
    tags = i.get("tags") or {}
    if r.type == "aws:kms/key:Key":
        kms = session.client("kms", region_name=region)
        meta = kms.create_key(
            Description=i["description"],
            Policy=i["policy"],
            Tags=[{"TagKey": k, "TagValue": v} for k, v in tags.items()],
        )["KeyMetadata"]
        return str(meta["Arn"])
    if r.type == "aws:kms/alias:Alias":
        kms = session.client("kms", region_name=region)
        kms.create_alias(AliasName=i["name"], TargetKeyId=real(i["targetKeyId"]))
        return f"alias:{i['name']}"
    sns = session.client("sns", region_name=region)
    if r.type == "aws:sns/topic:Topic":
        return str(
            sns.create_topic(
                Name=i["name"],
                Attributes={"KmsMasterKeyId": real(i["kmsMasterKeyId"])},
                Tags=[{"Key": k, "Value": v} for k, v in tags.items()],
            )["TopicArn"]
        )
    if r.type == "aws:sns/topicPolicy:TopicPolicy":
        arn = real(i["arn"])
        policy = i["policy"].replace(i["arn"], arn)
        sns.set_topic_attributes(TopicArn=arn, AttributeName="Policy", AttributeValue=policy)
        return f"policy:{arn}"
    if r.type == "aws:sns/topicSubscription:TopicSubscription":
        return str(
            sns.subscribe(
                TopicArn=real(i["topic"]), Protocol=i["protocol"], Endpoint=i["endpoint"]
            )["SubscriptionArn"]
        )
    if r.type == "aws:cloudwatch/metricAlarm:MetricAlarm":
        cloudwatch = session.client("cloudwatch", region_name=region)
        cloudwatch.put_metric_alarm(
            AlarmName=i["name"],
            AlarmDescription=i["alarmDescription"],
            Namespace=i["namespace"],
            MetricName=i["metricName"],
            Dimensions=[{"Name": k, "Value": real(v)} for k, v in i["dimensions"].items()],
            Statistic=i["statistic"],
            ComparisonOperator=i["comparisonOperator"],
            Threshold=float(i["threshold"]),
            Period=int(i["period"]),
            EvaluationPeriods=int(i["evaluationPeriods"]),
            DatapointsToAlarm=int(i["datapointsToAlarm"]),
            TreatMissingData=i["treatMissingData"],
            ActionsEnabled=bool(i["actionsEnabled"]),
            AlarmActions=[real(a) for a in i["alarmActions"]],
            OKActions=[real(a) for a in i["okActions"]],
            Tags=[{"Key": k, "Value": v} for k, v in tags.items()],
        )
        return f"alarm:{i['name']}"
    raise NotImplementedError(f"no moto translation for {r.type}")


def _create(r: Registration, ec2: Any, iam: Any, logs: Any, real: Any, ids: dict[str, str]) -> str:
    i = r.inputs
    t = r.type
    if t == "aws:ec2/vpc:Vpc":
        return str(
            ec2.create_vpc(CidrBlock=i["cidrBlock"], TagSpecifications=_tags(i, "vpc"))["Vpc"][
                "VpcId"
            ]
        )
    if t == "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup":
        group = ec2.describe_security_groups(
            Filters=[
                {"Name": "vpc-id", "Values": [real(i["vpcId"])]},
                {"Name": "group-name", "Values": ["default"]},
            ]
        )["SecurityGroups"][0]
        if group.get("IpPermissionsEgress"):
            ec2.revoke_security_group_egress(
                GroupId=group["GroupId"], IpPermissions=group["IpPermissionsEgress"]
            )
        if group.get("IpPermissions"):
            ec2.revoke_security_group_ingress(
                GroupId=group["GroupId"], IpPermissions=group["IpPermissions"]
            )
        ec2.create_tags(
            Resources=[group["GroupId"]],
            Tags=[{"Key": k, "Value": v} for k, v in i["tags"].items()],
        )
        return str(group["GroupId"])
    if t == "aws:ec2/subnet:Subnet":
        subnet = ec2.create_subnet(
            VpcId=real(i["vpcId"]),
            CidrBlock=i["cidrBlock"],
            **(
                {"AvailabilityZoneId": i["availabilityZoneId"]}
                if "availabilityZoneId" in i
                else {"AvailabilityZone": i["availabilityZone"]}
            ),
            TagSpecifications=_tags(i, "subnet"),
        )["Subnet"]
        if subnet["MapPublicIpOnLaunch"] and not i.get("mapPublicIpOnLaunch"):
            # moto 5.2 marks a subnet made by AZ ID default-for-AZ; the provider sets it false
            ec2.modify_subnet_attribute(
                SubnetId=subnet["SubnetId"], MapPublicIpOnLaunch={"Value": False}
            )
        return str(subnet["SubnetId"])
    if t == "aws:ec2/routeTable:RouteTable":
        return str(
            ec2.create_route_table(
                VpcId=real(i["vpcId"]), TagSpecifications=_tags(i, "route-table")
            )["RouteTable"]["RouteTableId"]
        )
    if t == "aws:ec2/routeTableAssociation:RouteTableAssociation":
        return str(
            ec2.associate_route_table(
                RouteTableId=real(i["routeTableId"]), SubnetId=real(i["subnetId"])
            )["AssociationId"]
        )
    if t == "aws:ec2/internetGateway:InternetGateway":
        igw = ec2.create_internet_gateway(TagSpecifications=_tags(i, "internet-gateway"))
        igw_id = igw["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=real(i["vpcId"]))
        return str(igw_id)
    if t == "aws:ec2/eip:Eip":
        alloc = ec2.allocate_address(Domain="vpc", TagSpecifications=_tags(i, "elastic-ip"))
        ids[f"eipalloc-{r.name}"] = alloc["AllocationId"]
        return str(alloc["AllocationId"])
    if t == "aws:ec2/natGateway:NatGateway":
        return str(
            ec2.create_nat_gateway(
                SubnetId=real(i["subnetId"]),
                AllocationId=real(i["allocationId"]),
                TagSpecifications=_tags(i, "natgateway"),
            )["NatGateway"]["NatGatewayId"]
        )
    if t == "aws:ec2/route:Route":
        target = {
            k: real(i[k])
            for k in ("gatewayId", "natGatewayId", "transitGatewayId", "vpcEndpointId")
            if k in i
        }
        key = {
            "gatewayId": "GatewayId",
            "natGatewayId": "NatGatewayId",
            "transitGatewayId": "TransitGatewayId",
            "vpcEndpointId": "VpcEndpointId",
        }
        ec2.create_route(
            RouteTableId=real(i["routeTableId"]),
            DestinationCidrBlock=i["destinationCidrBlock"],
            **{key[k]: v for k, v in target.items()},
        )
        return f"route:{r.name}"
    if t == "aws:ec2/vpcEndpoint:VpcEndpoint":
        return str(
            ec2.create_vpc_endpoint(
                VpcId=real(i["vpcId"]),
                ServiceName=i["serviceName"],
                VpcEndpointType="Gateway",
                RouteTableIds=[real(x) for x in i["routeTableIds"]],
                TagSpecifications=_tags(i, "vpc-endpoint"),
            )["VpcEndpoint"]["VpcEndpointId"]
        )
    if t == "aws:iam/role:Role":
        tags = [{"Key": k, "Value": v} for k, v in i["tags"].items()]
        return str(
            iam.create_role(
                RoleName=f"{i['tags']['Name']}",
                AssumeRolePolicyDocument=i["assumeRolePolicy"],
                Tags=tags,
            )["Role"]["Arn"]
        )
    if t == "aws:iam/rolePolicy:RolePolicy":
        return f"policy:{r.name}"
    if t == "aws:cloudwatch/logGroup:LogGroup":
        logs.create_log_group(logGroupName=i["name"], tags=i["tags"])
        logs.put_retention_policy(logGroupName=i["name"], retentionInDays=int(i["retentionInDays"]))
        return f"arn:aws:logs:us-east-1:123456789012:log-group:{i['name']}"
    if t == "aws:ec2/flowLog:FlowLog":
        extra: dict[str, Any] = {
            "LogDestinationType": i["logDestinationType"],
            "LogDestination": real(i["logDestination"]),
        }
        if "iamRoleArn" in i:
            extra["DeliverLogsPermissionArn"] = real(i["iamRoleArn"])
        return str(
            ec2.create_flow_logs(
                ResourceIds=[real(i["vpcId"])],
                ResourceType="VPC",
                TrafficType=i["trafficType"],
                TagSpecifications=_tags(i, "vpc-flow-log"),
                **extra,
            )["FlowLogIds"][0]
        )
    if t == "aws:ec2transitgateway/transitGateway:TransitGateway":
        options = {
            "AmazonSideAsn": int(i["amazonSideAsn"]),
            "AutoAcceptSharedAttachments": i["autoAcceptSharedAttachments"],
            "DefaultRouteTableAssociation": i["defaultRouteTableAssociation"],
            "DefaultRouteTablePropagation": i["defaultRouteTablePropagation"],
            "DnsSupport": i["dnsSupport"],
        }
        return str(
            ec2.create_transit_gateway(
                Description=i.get("description", ""),
                Options=options,
                TagSpecifications=_tags(i, "transit-gateway"),
            )["TransitGateway"]["TransitGatewayId"]
        )
    if t == "aws:ec2transitgateway/vpcAttachment:VpcAttachment":
        return str(
            ec2.create_transit_gateway_vpc_attachment(
                TransitGatewayId=real(i["transitGatewayId"]),
                VpcId=real(i["vpcId"]),
                SubnetIds=[real(s) for s in i["subnetIds"]],
                Options={"ApplianceModeSupport": i.get("applianceModeSupport", "disable")},
                # moto 5.2 reads attachment tags under this resource type (a moto bug)
                TagSpecifications=_tags(i, "transit-gateway-route-table"),
            )["TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]
        )
    if t == "aws:ec2transitgateway/routeTable:RouteTable":
        return str(
            ec2.create_transit_gateway_route_table(
                TransitGatewayId=real(i["transitGatewayId"]),
                TagSpecifications=_tags(i, "transit-gateway-route-table"),
            )["TransitGatewayRouteTable"]["TransitGatewayRouteTableId"]
        )
    if t == "aws:ec2transitgateway/routeTableAssociation:RouteTableAssociation":
        ec2.associate_transit_gateway_route_table(
            TransitGatewayRouteTableId=real(i["transitGatewayRouteTableId"]),
            TransitGatewayAttachmentId=real(i["transitGatewayAttachmentId"]),
        )
        return f"tgw-assoc:{r.name}"
    if t == "aws:ec2transitgateway/routeTablePropagation:RouteTablePropagation":
        ec2.enable_transit_gateway_route_table_propagation(
            TransitGatewayRouteTableId=real(i["transitGatewayRouteTableId"]),
            TransitGatewayAttachmentId=real(i["transitGatewayAttachmentId"]),
        )
        return f"tgw-prop:{r.name}"
    if t == "aws:ec2transitgateway/route:Route":
        extra = (
            {"Blackhole": True}
            if i.get("blackhole")
            else {"TransitGatewayAttachmentId": real(i["transitGatewayAttachmentId"])}
        )
        ec2.create_transit_gateway_route(
            DestinationCidrBlock=i["destinationCidrBlock"],
            TransitGatewayRouteTableId=real(i["transitGatewayRouteTableId"]),
            **extra,
        )
        return f"tgw-route:{r.name}"
    hybrid = create_hybrid(r, ec2, real, ids)
    if hybrid is not None:
        return hybrid
    raise NotImplementedError(f"no moto translation for {t}: {json.dumps(i)[:200]}")
