/// The IAM roles the stack creates (the execution role, ECS Exec's task role, the role ECS moves a
/// canary's traffic with): each assumed by one AWS service, with inline policies only, under the
/// account's role boundary.
extension StackTemplate {
    /// A role that `service` assumes, with one inline policy per `(name, statements)`.
    ///
    /// A deployer may create roles only under the boundary (`iam/deployer-policy.json`), so no role
    /// made here can ever hold more than `iam/role-boundary.json` allows; and none gets a managed
    /// policy, which the deployer may not attach.
    func role(named roleName: String, assumedBy service: String, policies: [(name: String, statements: [JSON])]) -> JSON {
        resource(
            "AWS::IAM::Role",
            [
                ("RoleName", .string(roleName)),
                (
                    "AssumeRolePolicyDocument",
                    .object([
                        ("Version", .string("2012-10-17")),
                        (
                            "Statement",
                            .array([
                                .object([
                                    ("Effect", .string("Allow")),
                                    ("Principal", .object([("Service", .string(service))])),
                                    ("Action", .string("sts:AssumeRole")),
                                ])
                            ])
                        ),
                    ])
                ),
                (
                    "PermissionsBoundary",
                    .object([("Fn::Sub", .string("arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/\(StackNames.roleBoundaryPolicy)"))])
                ),
                (
                    "Policies",
                    .array(
                        policies.map { policy in
                            .object([
                                ("PolicyName", .string(policy.name)),
                                ("PolicyDocument", .object([("Version", .string("2012-10-17")), ("Statement", .array(policy.statements))])),
                            ])
                        }
                    )
                ),
            ]
        )
    }
}
