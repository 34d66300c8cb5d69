"""The EC2 deployment target: one Amazon Linux 2023 instance that runs the app's container."""

from __future__ import annotations

import re

from troposphere import Base64, GetAtt, Parameter, Ref, Sub, Tags, ec2
from troposphere import iam as tiam

from sfnc.backends import iam
from sfnc.backends.cfn.stack import Stack

R = iam.RESOURCES
AMI_PARAMETER = "SfncAmiId"
AMI_PATH = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-{arch}"
# Graviton families carry a "g" after the generation: t4g, m7g, c7gn, r8g.
_GRAVITON = re.compile(r"^[a-z]+\d+g[a-z]*\.")

USER_DATA = """#!/bin/bash
# Prepares the host to run the app's container; the deploy stage pulls and starts it.
set -euo pipefail
dnf install -y docker
systemctl enable --now docker
"""


def add(stack: Stack) -> None:
    target = stack.pipeline.target
    if target is None:
        return
    arch = "arm64" if _GRAVITON.match(target.instance_type) else "x86_64"
    stack.template.add_parameter(Parameter(
        AMI_PARAMETER, Type="AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>",
        Default=AMI_PATH.format(arch=arch),
        Description="Amazon Linux 2023 image for the target (AWS's public SSM parameter)"))
    stack.add(ec2.SecurityGroup(
        "TargetSecurityGroup",
        GroupDescription=f"{stack.pipeline.name} target: port {target.port} from "
                         f"{target.allow_from} only",
        SecurityGroupIngress=[ec2.SecurityGroupRule(
            IpProtocol="tcp", FromPort=target.port, ToPort=target.port,
            CidrIp=target.allow_from, Description="the app")],
    ))
    statements = []
    if stack.needs_images:
        statements = iam.bundle("ecr:pull", stack.pipeline)
    role = tiam.Role(
        "TargetRole",
        AssumeRolePolicyDocument=iam.assume_role("ec2.amazonaws.com"),
        # SSM Run Command is how the deploy stage reaches the instance: no SSH port.
        ManagedPolicyArns=[Sub("arn:${AWS::Partition}:iam::aws:policy/"
                               "AmazonSSMManagedInstanceCore")],
    )
    if statements:
        role.Policies = [tiam.Policy(PolicyName="pull-images",
                                     PolicyDocument=iam.document(statements))]
    stack.add(role)
    stack.add(tiam.InstanceProfile("TargetInstanceProfile", Roles=[Ref("TargetRole")]))
    stack.add(ec2.Instance(
        R.instance,
        ImageId=Ref(AMI_PARAMETER),
        InstanceType=target.instance_type,
        IamInstanceProfile=Ref("TargetInstanceProfile"),
        SecurityGroupIds=[GetAtt("TargetSecurityGroup", "GroupId")],
        MetadataOptions=ec2.MetadataOptions(HttpTokens="required", HttpEndpoint="enabled",
                                            # containers sit one hop further from IMDS
                                            HttpPutResponseHopLimit=2),
        BlockDeviceMappings=[ec2.BlockDeviceMapping(DeviceName="/dev/xvda", Ebs=ec2.EbsBlockDevice(
            VolumeSize=20, VolumeType="gp3", Encrypted=True))],
        UserData=Base64(USER_DATA),
        Tags=Tags(Name=f"{stack.pipeline.name}-target"),
    ))
