"""sfnc: compile a declarative pipeline.yaml into AWS Step Functions and CloudFormation."""

__version__ = "0.1.0"
