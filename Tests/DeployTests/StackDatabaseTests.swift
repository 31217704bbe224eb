import Config
import Deploy
import Testing

/// The database `deploy.database` adds to a stack, property by property.
@Suite struct StackDatabaseTests {
    func stack(_ database: String) throws -> JSON {
        let yaml = "state: {backend: postgres}\ndeploy: {desired_count: 2, load_balancer: true, database: \(database)}\n"
        return StackTemplate(task: try renderedTask(yaml, variant: "shared")).json
    }

    func getAtt(_ resource: String, _ attribute: String) -> JSON {
        .object([("Fn::GetAtt", .array([.string(resource), .string(attribute)]))])
    }

    @Test func anInstanceIsPrivateEncryptedSnapshottedAndReachableFromTheServiceOnly() throws {
        let resources = try #require(try stack("{kind: instance, instance_class: db.t4g.micro}").field("Resources"))
        let database = try #require(resources.field("Database"))
        #expect(database.field("Type") == .string("AWS::RDS::DBInstance"))
        #expect(database.field("DeletionPolicy") == .string("Snapshot"))
        #expect(database.field("UpdateReplacePolicy") == .string("Snapshot"))
        let properties = try #require(database.field("Properties"))
        #expect(properties.field("Engine") == .string("postgres"))
        #expect(properties.field("EngineVersion") == .string("16"))
        #expect(properties.field("StorageEncrypted") == .bool(true))
        #expect(properties.field("PubliclyAccessible") == .bool(false))
        // RDS for PostgreSQL 15 and later forces TLS by default: no parameter group of its own.
        #expect(properties.field("DBParameterGroupName") == nil)
        #expect(resources.field("DatabaseParameterGroup") == nil)
        #expect(
            properties.field("MasterUserPassword")
                == .object([("Fn::Sub", .string("{{resolve:secretsmanager:${DatabaseSecret}:SecretString:password}}"))])
        )
        let ingress = resources.field("DatabaseSecurityGroup")?.field("Properties")?.field("SecurityGroupIngress")
        #expect(
            ingress
                == .array([
                    .object([
                        ("IpProtocol", .string("tcp")), ("FromPort", .int(5432)), ("ToPort", .int(5432)),
                        ("SourceSecurityGroupId", getAtt("ServiceSecurityGroup", "GroupId")),
                    ])
                ])
        )
        #expect(
            resources.field("DatabaseSubnetGroup")?.field("Properties")?.field("SubnetIds")
                == .array([.object([("Ref", .string("DatabaseSubnetA"))]), .object([("Ref", .string("DatabaseSubnetB"))])])
        )
    }

    @Test func theDatabaseLivesInSubnetsOfItsOwnWithNoRouteOutInTwoZones() throws {
        for kind in ["{kind: instance}", "{kind: aurora-serverless}"] {
            let stack = try stack(kind)
            let resources = try #require(stack.field("Resources"))
            #expect(
                stack.field("Parameters")?.field("DatabaseSubnetCidrs")?.field("Type") == .string("String"),
                "\(kind)"
            )
            // A route table with no route of its own holds only the VPC's local route.
            #expect(resources.field("DatabaseRouteTable")?.field("Type") == .string("AWS::EC2::RouteTable"))
            guard case .object(let all) = resources else { return }
            let routes = all.filter {
                $0.1.field("Type") == .string("AWS::EC2::Route") || $0.1.field("Type") == .string("AWS::EC2::VPCGatewayAttachment")
            }
            #expect(routes.isEmpty, "\(routes.map(\.0))")
            for (index, subnet) in ["DatabaseSubnetA", "DatabaseSubnetB"].enumerated() {
                let properties = try #require(resources.field(subnet)?.field("Properties"))
                #expect(properties.field("MapPublicIpOnLaunch") == .bool(false))
                #expect(
                    properties.field("CidrBlock")
                        == .object([
                            (
                                "Fn::Select",
                                .array([
                                    .int(index),
                                    .object([("Fn::Split", .array([.string(","), .object([("Ref", .string("DatabaseSubnetCidrs"))])]))]),
                                ])
                            )
                        ])
                )
                #expect(
                    properties.field("AvailabilityZone")
                        == .object([("Fn::Select", .array([.int(index), .object([("Fn::GetAZs", .string(""))])]))])
                )
                let association = try #require(resources.field("\(subnet)Routes")?.field("Properties"))
                #expect(association.field("SubnetId") == .object([("Ref", .string(subnet))]))
                #expect(association.field("RouteTableId") == .object([("Ref", .string("DatabaseRouteTable"))]))
            }
        }
    }

    @Test func aStackWithoutADatabaseAsksForNoDatabaseSubnets() throws {
        let stack = StackTemplate(task: try renderedTask("deploy: {desired_count: 1}\n", variant: "classic")).json
        #expect(stack.field("Parameters")?.field("DatabaseSubnetCidrs") == nil)
        #expect(stack.field("Resources")?.field("DatabaseSubnetA") == nil)
    }

    @Test func theTasksGetTheDatabaseAsLibpqVariablesAndTheSecretsKeys() throws {
        let stack = try stack("{kind: instance}")
        let resources = try #require(stack.field("Resources"))
        guard case .array(let containers) = resources.field("TaskDefinition")?.field("Properties")?.field("ContainerDefinitions") else {
            Issue.record("no containers")
            return
        }
        let container = try #require(containers.first)
        guard case .array(let environment) = container.field("Environment"), case .array(let secrets) = container.field("Secrets") else {
            Issue.record("no environment or secrets")
            return
        }
        #expect(environment.contains(.object([("Name", .string("PGHOST")), ("Value", getAtt("Database", "Endpoint.Address"))])))
        #expect(environment.contains(.object([("Name", .string("PGPORT")), ("Value", getAtt("Database", "Endpoint.Port"))])))
        #expect(environment.contains(.object([("Name", .string("PGDATABASE")), ("Value", .string("tictactoe"))])))
        #expect(environment.contains(.object([("Name", .string("PGSSLMODE")), ("Value", .string("verify-full"))])))
        #expect(environment.contains(.object([("Name", .string("PGSSLROOTCERT")), ("Value", .string("/etc/ssl/certs/rds-ca-bundle.pem"))])))
        #expect(
            secrets == [
                .object([("Name", .string("PGPASSWORD")), ("ValueFrom", .object([("Fn::Sub", .string("${DatabaseSecret}:password::"))]))]),
                .object([("Name", .string("PGUSER")), ("ValueFrom", .object([("Fn::Sub", .string("${DatabaseSecret}:username::"))]))]),
            ]
        )
        // Only the execution role reads the secret.
        let role = resources.field("ExecutionRole")?.rendered ?? ""
        #expect(role.contains("\"secretsmanager:GetSecretValue\"") && role.contains("\"Ref\": \"DatabaseSecret\""))
        #expect(stack.field("Outputs")?.field("DatabaseEndpoint") != nil)
        // No password anywhere in the template.
        #expect(!stack.rendered.contains("MasterUserPassword\": \""))
    }

    @Test func anAuroraServerlessClusterPausesAndHasOneServerlessWriter() throws {
        let stack = try stack("{min_acu: 0, max_acu: 2.5, auto_pause_s: 900, on_delete: retain, deletion_protection: true}")
        let resources = try #require(stack.field("Resources"))
        let cluster = try #require(resources.field("DatabaseCluster"))
        #expect(cluster.field("Type") == .string("AWS::RDS::DBCluster"))
        #expect(cluster.field("DeletionPolicy") == .string("Retain") && cluster.field("UpdateReplacePolicy") == .string("Retain"))
        let properties = try #require(cluster.field("Properties"))
        #expect(properties.field("Engine") == .string("aurora-postgresql"))
        #expect(properties.field("DeletionProtection") == .bool(true))
        #expect(
            properties.field("ServerlessV2ScalingConfiguration")?.rendered
                == "{\n  \"MinCapacity\": 0,\n  \"MaxCapacity\": 2.5,\n  \"SecondsUntilAutoPause\": 900\n}\n"
        )
        let parameters = resources.field("DatabaseParameterGroup")
        #expect(parameters?.field("Type") == .string("AWS::RDS::DBClusterParameterGroup"))
        #expect(parameters?.field("Properties")?.field("Family") == .string("aurora-postgresql16"))
        #expect(parameters?.field("Properties")?.field("Parameters") == .object([("rds.force_ssl", .string("1"))]))
        #expect(properties.field("DBClusterParameterGroupName") == .object([("Ref", .string("DatabaseParameterGroup"))]))
        let writer = resources.field("Database")?.field("Properties")
        #expect(writer?.field("DBInstanceClass") == .string("db.serverless"))
        #expect(writer?.field("DBClusterIdentifier") == .object([("Ref", .string("DatabaseCluster"))]))
        #expect(resources.field("TaskDefinition")?.rendered.contains("\"DatabaseCluster\",\n") == true)
        // A database that pauses is not woken by the balancer's checks: they ask /healthz.
        #expect(resources.field("TargetGroup")?.field("Properties")?.field("HealthCheckPath") == .string("/healthz"))
    }

    @Test func aDatabaseThatNeverPausesKeepsTheReadinessCheck() throws {
        let resources = try #require(try stack("{kind: instance}").field("Resources"))
        #expect(resources.field("TargetGroup")?.field("Properties")?.field("HealthCheckPath") == .string("/readyz"))
    }
}
