/// The database's own subnets: two, in the region's first two zones (RDS wants a subnet group
/// over two zones at least), in the stack's VPC, each associated with a route table that holds
/// only the VPC's local route. Nothing in them can reach the internet or be reached from it;
/// the tasks reach PostgreSQL over the VPC's local route, which every subnet of a VPC shares.
///
/// Their address blocks are a parameter because only the VPC knows which blocks are free:
/// `make deploy` picks two unused blocks of ``databaseSubnetPrefixLength`` bits when it creates
/// the stack and passes the stack's own values again on every update (a new block would replace
/// the subnets under the running database). Subnets and route tables cost nothing.
extension StackTemplate {
    /// The size of each database subnet: a /27 holds 27 usable addresses (AWS keeps five), room
    /// for a writer, a standby and the addresses RDS takes during maintenance.
    public static let databaseSubnetPrefixLength = 27

    /// The logical ids of the database's subnets, in zone order.
    static let databaseSubnets = ["DatabaseSubnetA", "DatabaseSubnetB"]

    var databaseSubnetsParameter: (String, JSON) {
        (
            StackNames.LogicalID.databaseSubnetsParameter,
            .object([
                // A string split in the template rather than a CommaDelimitedList: moto fails to
                // keep a list parameter's previous value, and the template reads the same either way.
                ("Type", .string("String")),
                (
                    "Description",
                    .string(
                        "Two unused /\(Self.databaseSubnetPrefixLength) blocks of the VPC for the database's subnets (make deploy picks them once and keeps them)"
                    )
                ),
            ])
        )
    }

    var databaseNetworkResources: [(String, JSON)] {
        var resources: [(String, JSON)] = [
            (
                "DatabaseRouteTable",
                resource("AWS::EC2::RouteTable", [("VpcId", ref("VpcId")), ("Tags", nameTag("database, no route out"))])
            )
        ]
        let blocks = JSON.object([("Fn::Split", .array([.string(","), ref(StackNames.LogicalID.databaseSubnetsParameter)]))])
        for (index, subnet) in Self.databaseSubnets.enumerated() {
            let select = { (list: JSON) in JSON.object([("Fn::Select", .array([.int(index), list]))]) }
            resources.append(
                (
                    subnet,
                    resource(
                        "AWS::EC2::Subnet",
                        [
                            ("VpcId", ref("VpcId")),
                            ("CidrBlock", select(blocks)),
                            ("AvailabilityZone", select(.object([("Fn::GetAZs", .string(""))]))),
                            ("MapPublicIpOnLaunch", .bool(false)),
                            ("Tags", nameTag("database")),
                        ]
                    )
                )
            )
            resources.append(
                (
                    "\(subnet)Routes",
                    resource(
                        "AWS::EC2::SubnetRouteTableAssociation",
                        [("SubnetId", ref(subnet)), ("RouteTableId", ref("DatabaseRouteTable"))]
                    )
                )
            )
        }
        return resources
    }

    private func nameTag(_ role: String) -> JSON {
        .array([.object([("Key", .string("Name")), ("Value", .string("\(name) \(role)"))])])
    }
}
