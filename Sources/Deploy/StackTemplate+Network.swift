/// The service's security group: the game's port, open only to the load balancer's security group
/// when there is one, else to `deploy.ingress_cidr`.
extension StackTemplate {
    var serviceSecurityGroup: JSON {
        var ingress: [(String, JSON)] = [("IpProtocol", .string("tcp")), ("FromPort", .int(task.port)), ("ToPort", .int(task.port))]
        if deploy.loadBalancer {
            ingress.append(("SourceSecurityGroupId", getAtt("LoadBalancerSecurityGroup", "GroupId")))
        } else {
            ingress.append(("CidrIp", .string(deploy.ingressCIDR)))
        }
        return resource(
            "AWS::EC2::SecurityGroup",
            [
                ("GroupDescription", .string("\(name): port \(task.port) for the game")),
                ("VpcId", ref("VpcId")),
                ("SecurityGroupIngress", .array([.object(ingress)])),
            ]
        )
    }
}
