"""Back ends: the checked model → ASL definition, IAM statements, CloudFormation template."""
