#!/usr/bin/env bash
# Runs a variant on ECS Fargate with the aws CLI: one CloudFormation stack per variant.
# Called by the Makefile (make verify/deploy/destroy/diff/status/logs/url/rollback/run-task, and
# the on-call commands exec/releases/drift/dashboard); `make -n TARGET` passes --dry-run, which
# prints the AWS calls that change things. Reading logs, releases and drift is scripts/operate.py's.
#
# Environment (set by the Makefile): VARIANT REGION ACCOUNT REPOSITORY (image repository URI)
# VT (tictactoe-variant: names and facts) TT (the tictactoe binary: renders; only the commands that
# render need it) YES (1 skips confirmation) WAIT (seconds to wait for stability)
# VARIANTS_DIR (where VARIANT.yaml is; default variants) VPC_ID SUBNETS (comma-separated; default: the default VPC's default subnets) DIGEST VERSION
# VERIFY_KEY (a public key: verify and deploy refuse an image it did not sign, and deploy the
# digest it checked) SMOKE (0 skips the smoke game after deploy) SMOKE_WAIT (seconds for the first answer, 120) SMOKE_URL (play the smoke game there instead of the
# deployed URL: for tests whose AWS runs no containers) TO (rollback: the release's version)
# FOLLOW SINCE LEVEL FILTER TASK PREVIOUS (logs) TASK CMD (exec)
set -euo pipefail

command="${1:?usage: fargate.sh verify|deploy|destroy|diff|status|logs|url|rollback|releases|drift|exec|dashboard|run-task [--dry-run]}"
dry_run=""
[ "${2:-}" = "--dry-run" ] && dry_run=1

command -v aws >/dev/null || { echo "error: the aws CLI is missing: install it (pip install awscli)" >&2; exit 1; }
: "${VARIANT:?}" "${REGION:?}" "${VT:?}"
VARIANTS_DIR="${VARIANTS_DIR:-variants}"
VARIANT_FILE="$VARIANTS_DIR/$VARIANT.yaml"
[ -f "$VARIANT_FILE" ] || { echo "error: no $VARIANT_FILE; valid: $(ls "$VARIANTS_DIR" | sed -n 's/\.yaml$//p' | tr '\n' ' ')" >&2; exit 2; }
if [ -z "${ACCOUNT:-}" ]; then
  echo "error: no AWS account: configure the aws CLI (aws sts get-caller-identity fails) or set AWS_ACCOUNT" >&2
  exit 1
fi
# Every AWS name and fact of the variant (STACK, CLUSTER, SERVICE, FAMILY, LOG_GROUP, RUN_ON…), from
# the code that renders the stack: `tictactoe variant facts --help` says how they are written.
facts="$("$VT" facts "$VARIANT_FILE")" || exit 1
eval "$facts"
WAIT="${WAIT:-600}"
ARCH="$RUN_ON"
REPOSITORY="${REPOSITORY:-$ACCOUNT.dkr.ecr.$REGION.amazonaws.com/$REPOSITORY_NAME}"
TEMPLATE="build/cfn/$VARIANT.json"
AWS=(aws --region "$REGION")

# With VERIFY_KEY, the exact digest to deploy is the one whose signature was checked: DIGEST, or
# what the variant's tag names now. Without, says that nothing was checked.
check_signature() {
  if [ -z "${VERIFY_KEY:-}" ]; then
    echo "signature: not checked (set VERIFY_KEY=FILE.pub to refuse unsigned images)"
    return 0
  fi
  local reference="$REPOSITORY:$VARIANT"
  [ -n "${DIGEST:-}" ] && reference="$REPOSITORY@$DIGEST"
  local checked
  checked="$(python3 scripts/signatures.py verify "$reference" --key "$VERIFY_KEY")" || exit 1
  echo "$checked"
  DIGEST="$(sed -n 's/^signature: .*@\(sha256:[0-9a-f]*\).*/\1/p' <<<"$checked")"
  # What replaces the tag in the task definition must be a digest, whatever the check printed.
  if ! [[ "$DIGEST" =~ ^sha256:[0-9a-f]{64}$ ]]; then
    echo "error: the signature check named no image digest (sha256: and 64 hex digits), so nothing is deployed" >&2
    exit 1
  fi
}

run() {
  echo "+ $*"
  [ -n "$dry_run" ] || "$@"
}

# The digest the variant's tag names in the repository now: what a deploy pins, so that a release
# is one exact image and `make rollback` can return to it. DIGEST (or a checked signature) wins.
resolve_digest() {
  [ -n "${DIGEST:-}" ] && return 0
  DIGEST="$("${AWS[@]}" ecr describe-images --repository-name "${REPOSITORY#*/}" --image-ids imageTag="$VARIANT" \
    --query 'imageDetails[0].imageDigest' --output text 2>/dev/null || true)"
  if ! [[ "$DIGEST" =~ ^sha256:[0-9a-f]{64}$ ]]; then
    if [ -n "$dry_run" ]; then DIGEST=""; return 0; fi
    echo "error: $REPOSITORY:$VARIANT is not in the registry, so there is no image to deploy: make push VARIANT=$VARIANT" >&2
    exit 1
  fi
}

# A parameter or an output of the deployed stack ("" when the stack or it does not exist).
stack_value() {  # stack_value Parameter|Output NAME
  local value
  value="$("${AWS[@]}" cloudformation describe-stacks --stack-name "$STACK" \
    --query "Stacks[0].$1s[?$1Key=='$2'].$1Value | [0]" --output text 2>/dev/null || true)"
  [ "$value" = None ] && value=""
  echo "$value"
}
stack_parameter() { stack_value Parameter "$1"; }

OPERATE=(python3 scripts/operate.py)

# The stack's template is the same from release to release (the digest it runs is a parameter, so
# that make diff shows only what the variant changed); the task definition file pins DIGEST.
render() {
  : "${TT:?}"
  mkdir -p build/cfn build/ecs
  "$TT" stack --variant "$VARIANT_FILE" --arch "$ARCH" --repository "$REPOSITORY" \
    --region "$REGION" --account "$ACCOUNT" --output "$TEMPLATE"
  "$TT" taskdef --variant "$VARIANT_FILE" --arch "$ARCH" --repository "$REPOSITORY" \
    ${DIGEST:+--digest "$DIGEST"} --region "$REGION" --account "$ACCOUNT" --output "build/ecs/$VARIANT-$ARCH.json"
}

# The stack's events not printed yet, as they happen: time, resource, type, status, reason; in each
# batch failures first. Events from before the call are marked seen by `events_mark`.
EVENTS_SEEN="build/cfn/.events-seen"
events_mark() {
  mkdir -p build/cfn
  "${AWS[@]}" cloudformation describe-stack-events --stack-name "$STACK" --query 'StackEvents[].EventId' --output text 2>/dev/null \
    | tr '\t' '\n' >"$EVENTS_SEEN" || : >"$EVENTS_SEEN"
}
events_show() {
  local batch
  batch="$("${AWS[@]}" cloudformation describe-stack-events --stack-name "$STACK" \
    --query 'reverse(StackEvents)[].[EventId,Timestamp,LogicalResourceId,ResourceType,ResourceStatus,ResourceStatusReason]' \
    --output text 2>/dev/null)" || return 0
  printf '%s\n' "$batch" | awk -F'\t' -v seen="$EVENTS_SEEN" '
    BEGIN { while ((getline id < seen) > 0) done[id] = 1 }
    $1 != "" && !($1 in done) {
      reason = ($6 == "None" ? "" : $6)
      line = sprintf("  %s  %-28s %-40s %-20s %s", substr($2, 12, 8), $3, $4, $5, reason)
      if ($5 ~ /FAILED/) failed[++f] = line; else other[++o] = line
      print $1 >> seen
    }
    END { for (i = 1; i <= f; i++) print failed[i]; for (i = 1; i <= o; i++) print other[i] }'
}
# Runs a command in the background and shows the stack's events until it ends; its exit status.
with_events() {
  events_mark
  "$@" &
  local pid=$! status=0
  while kill -0 "$pid" 2>/dev/null; do events_show; phase_show; sleep 3; done
  wait "$pid" || status=$?
  events_show
  return "$status"
}

# The phase of the service's newest deployment, when it changes: ECS's status and lifecycle stage
# (SCALE_UP, PRODUCTION_TRAFFIC_SHIFT, BAKE_TIME, CLEAN_UP…), what a canary spends its time in.
# Silent where ECS does not report service deployments.
PHASE_SHOWN=""
phase_show() {
  local arn phase
  arn="$("${AWS[@]}" ecs list-service-deployments --cluster "$CLUSTER" --service "$SERVICE" \
    --query 'serviceDeployments[0].serviceDeploymentArn' --output text 2>/dev/null)" || return 0
  [ -n "$arn" ] && [ "$arn" != None ] || return 0
  phase="$("${AWS[@]}" ecs describe-service-deployments --service-deployment-arns "$arn" \
    --query 'serviceDeployments[0].[status,lifecycleStage]' --output text 2>/dev/null)" || return 0
  [ -n "$phase" ] && [ "$phase" != "$PHASE_SHOWN" ] || return 0
  PHASE_SHOWN="$phase"
  echo "  phase: $(tr '\t' ' ' <<<"$phase") ($STRATEGY)"
}

# CloudFormation's own view of what deploying TEMPLATE to the existing stack changes: one line per
# resource, Action, logical id, type, Replacement (True, Conditional, False or -), tab-separated.
# The change set is made with the stack's current parameters and deleted again.
change_set() {
  local name="tictactoe-diff-$(date +%s)" parameters
  parameters="$("${AWS[@]}" cloudformation describe-stacks --stack-name "$STACK" \
    --query 'Stacks[0].Parameters[].{ParameterKey: ParameterKey, ParameterValue: ParameterValue}' --output json)"
  "${AWS[@]}" cloudformation create-change-set --stack-name "$STACK" --change-set-name "$name" --template-body "file://$TEMPLATE" \
    --capabilities CAPABILITY_NAMED_IAM --parameters "$parameters" >/dev/null
  timeout 300 "${AWS[@]}" cloudformation wait change-set-create-complete --stack-name "$STACK" --change-set-name "$name" 2>/dev/null || true
  "${AWS[@]}" cloudformation describe-change-set --stack-name "$STACK" --change-set-name "$name" \
    --query 'Changes[].ResourceChange.[Action,LogicalResourceId,ResourceType,Replacement]' --output text \
    | awk -F'\t' 'NF >= 3 { print $1 "\t" $2 "\t" $3 "\t" (($4 == "None" || $4 == "") ? "-" : $4) }'
  "${AWS[@]}" cloudformation delete-change-set --stack-name "$STACK" --change-set-name "$name" >/dev/null 2>&1 || true
}

confirm() {
  echo "account: $ACCOUNT  region: $REGION  stack: $STACK  ($1)"
  [ -n "$dry_run" ] && return 0
  [ "${YES:-}" = 1 ] && return 0
  if [ ! -t 0 ]; then echo "error: not a terminal; pass YES=1 to confirm" >&2; exit 1; fi
  read -r -p "type yes to $1: " answer
  [ "$answer" = yes ] || { echo "stopped: nothing changed"; exit 1; }
}

network() {
  if [ -z "${VPC_ID:-}" ]; then
    VPC_ID="$("${AWS[@]}" ec2 describe-vpcs --filters Name=isDefault,Values=true --query 'Vpcs[0].VpcId' --output text)"
    [ "$VPC_ID" != None ] || { echo "error: no default VPC in $REGION: pass VPC_ID=vpc-… SUBNETS=subnet-…,subnet-…" >&2; exit 1; }
  fi
  if [ -z "${SUBNETS:-}" ]; then
    SUBNETS="$("${AWS[@]}" ec2 describe-subnets --filters "Name=vpc-id,Values=$VPC_ID" Name=default-for-az,Values=true \
      --query 'Subnets[].SubnetId' --output text | tr '\t' ',')"
    [ -n "$SUBNETS" ] || { echo "error: no default subnets in $VPC_ID: pass SUBNETS=subnet-…,subnet-…" >&2; exit 1; }
  fi
}

# The address to play at: the stack's URL output when it has one (https://<domain>/ for a variant
# with deploy.https, else the load balancer's name with the listener's scheme), else the public
# address of a running task. Where the outputs cannot be read (moto cannot resolve a database's
# endpoint in them), the same rule from the variant's facts: DOMAIN, else the balancer's name.
service_url() {
  local cluster service task eni ip port url lb dns
  url="$("${AWS[@]}" cloudformation describe-stacks --stack-name "$STACK" \
    --query "Stacks[0].Outputs[?OutputKey=='URL'].OutputValue | [0]" --output text 2>/dev/null || true)"
  if [ -n "$url" ] && [ "$url" != None ]; then
    echo "$url"
    return
  fi
  if [ -n "$DOMAIN" ]; then
    echo "https://$DOMAIN/"
    return
  fi
  if [ -n "$LOAD_BALANCER_ID" ] && lb="$("${AWS[@]}" cloudformation describe-stack-resource --stack-name "$STACK" \
      --logical-resource-id "$LOAD_BALANCER_ID" --query 'StackResourceDetail.PhysicalResourceId' --output text 2>/dev/null)" \
      && [ -n "$lb" ] && [ "$lb" != None ]; then
    dns="$("${AWS[@]}" elbv2 describe-load-balancers --load-balancer-arns "$lb" --query 'LoadBalancers[0].DNSName' --output text)"
    echo "$([ -n "$CERTIFICATE_ARN" ] && echo https || echo http)://$dns/"
    return
  fi
  cluster="$CLUSTER"; service="$SERVICE"; port="$PORT"
  task="$("${AWS[@]}" ecs list-tasks --cluster "$cluster" --service-name "$service" --desired-status RUNNING --query 'taskArns[0]' --output text)"
  if [ -z "$task" ] || [ "$task" = None ]; then echo "no running task yet: try make url in a minute"; return; fi
  eni="$("${AWS[@]}" ecs describe-tasks --cluster "$cluster" --tasks "$task" \
    --query "tasks[0].attachments[0].details[?name=='networkInterfaceId'].value" --output text)"
  ip="$("${AWS[@]}" ec2 describe-network-interfaces --network-interface-ids "$eni" --query 'NetworkInterfaces[0].Association.PublicIp' --output text 2>/dev/null || true)"
  if [ -z "$ip" ] || [ "$ip" = None ]; then echo "the task has no public IP yet: try make url in a minute"; return; fi
  echo "http://$ip:$port/"
}

wait_stable() {
  local cluster service deadline state
  cluster="$CLUSTER"; service="$SERVICE"
  deadline=$((SECONDS + WAIT))
  echo "waiting up to ${WAIT}s for $service to be stable"
  while :; do
    phase_show
    state="$("${AWS[@]}" ecs describe-services --cluster "$cluster" --services "$service" \
      --query 'services[0].[desiredCount,runningCount,length(deployments),deployments[0].rolloutState,deployments[0].rolloutStateReason]' --output text)"
    read -r desired running deployments rollout reason <<<"$state" || true
    if [ "$rollout" = FAILED ]; then echo "error: ECS rolled the deployment back: $reason" >&2; exit 4; fi
    if [ "$deployments" = 1 ] && [ "$running" = "$desired" ] && [ "$desired" != 0 ]; then echo "stable: $running/$desired tasks running"; return 0; fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "error: not stable within ${WAIT}s ($running/$desired tasks running, $deployments deployment(s)); see make status and make logs" >&2
      exit 3
    fi
    sleep 5
  done
}

case "$command" in
  verify)
    check_signature
    render
    failures=0
    check() { if "$@"; then :; else failures=$((failures + 1)); fi; }
    image_ok() {
      local manifest
      if ! manifest="$("${AWS[@]}" ecr batch-get-image --repository-name "${REPOSITORY#*/}" --image-ids imageTag="$VARIANT" \
          --accepted-media-types application/vnd.docker.distribution.manifest.list.v2+json application/vnd.oci.image.index.v1+json \
          --query 'images[0].imageManifest' --output text 2>/dev/null)" || [ -z "$manifest" ] || [ "$manifest" = None ]; then
        echo "FAIL image: $REPOSITORY:$VARIANT is not in the registry: make push VARIANT=$VARIANT"; return 1
      fi
      if ! jq -e --arg arch "$ARCH" 'any(.manifests[]?; .platform.architecture == $arch)' <<<"$manifest" >/dev/null; then
        echo "FAIL image: $REPOSITORY:$VARIANT has no $ARCH manifest, so the task would fail with exec format error"; return 1
      fi
      echo "ok   image: $REPOSITORY:$VARIANT has a $ARCH manifest"
    }
    cluster_ok() {
      if [ "$CLUSTER_CREATED" = true ]; then echo "ok   cluster: the stack creates $CLUSTER"; return 0; fi
      if [ "$("${AWS[@]}" ecs describe-clusters --clusters "$CLUSTER" --query 'clusters[0].status' --output text)" = ACTIVE ]; then
        echo "ok   cluster: $CLUSTER is active"
      else
        echo "FAIL cluster: $CLUSTER does not exist"; return 1
      fi
    }
    role_ok() {  # role_ok WHAT NAME CREATED
      if [ -z "$2" ]; then echo "ok   $1: none needed"; return 0; fi
      if [ "$3" = true ]; then echo "ok   $1: the stack creates $2"; return 0; fi
      if "${AWS[@]}" iam get-role --role-name "$2" >/dev/null 2>&1; then echo "ok   $1: $2 exists"; else echo "FAIL $1: $2 does not exist"; return 1; fi
    }
    boundary_ok() {
      # A stack that creates a role gives it this boundary; IAM refuses the role if it is missing.
      if [ "$EXECUTION_ROLE_CREATED" != true ]; then echo "ok   role boundary: no role created"; return 0; fi
      if "${AWS[@]}" iam get-policy --policy-arn "arn:aws:iam::$ACCOUNT:policy/$ROLE_BOUNDARY" >/dev/null 2>&1; then
        echo "ok   role boundary: $ROLE_BOUNDARY exists"
      else
        echo "FAIL role boundary: no policy $ROLE_BOUNDARY in account $ACCOUNT: create it once with aws iam create-policy --policy-name $ROLE_BOUNDARY --policy-document file://iam/role-boundary.json"
        return 1
      fi
    }
    logs_ok() {
      if [ "$("${AWS[@]}" logs describe-log-groups --log-group-name-prefix "$LOG_GROUP" --query "length(logGroups[?logGroupName=='$LOG_GROUP'])" --output text)" = 1 ]; then
        echo "ok   log group: $LOG_GROUP exists"
      else
        echo "ok   log group: the stack creates $LOG_GROUP"
      fi
    }
    covers() {  # covers DOMAIN NAME...: one of the certificate's names is DOMAIN or a wildcard over it
      local domain="$1" name; shift
      for name in "$@"; do
        [ "$name" = "$domain" ] && return 0
        [ "${name#\*.}" != "$name" ] && [ "${domain#*.}" = "${name#\*.}" ] && return 0
      done
      return 1
    }
    certificate_ok() {
      # What only ACM knows: the certificate exists here and its names cover the variant's domain.
      local names
      if [ -z "$CERTIFICATE_ARN" ]; then echo "ok   certificate: none (HTTP only)"; return 0; fi
      if ! names="$("${AWS[@]}" acm describe-certificate --certificate-arn "$CERTIFICATE_ARN" \
          --query 'Certificate.[DomainName, SubjectAlternativeNames]' --output text 2>/dev/null)"; then
        echo "FAIL certificate: $CERTIFICATE_ARN is not in ACM in $REGION"; return 1
      fi
      # shellcheck disable=SC2086
      if [ -n "$DOMAIN" ] && ! covers "$DOMAIN" $names; then
        echo "FAIL certificate: $CERTIFICATE_ARN does not cover $DOMAIN (it names: $(echo $names))"; return 1
      fi
      echo "ok   certificate: $CERTIFICATE_ARN covers ${DOMAIN:-the load balancer}"
    }
    check image_ok; check cluster_ok; check role_ok executionRoleArn "$EXECUTION_ROLE" "$EXECUTION_ROLE_CREATED"
    check role_ok taskRoleArn "$TASK_ROLE" false; check boundary_ok; check logs_ok; check certificate_ok
    if [ "$failures" -gt 0 ]; then echo "verify: $failures problem(s)"; exit 1; fi
    echo "verify: ready to deploy $VARIANT ($ARCH) to $REGION"
    ;;
  deploy)
    check_signature
    resolve_digest
    render
    network
    # A load-balanced stack believes X-Forwarded-For only from the VPC's addresses (the balancer's).
    parameters=()
    if [ -n "$TRUSTED_PROXIES_PARAMETER" ]; then
      cidrs="$("${AWS[@]}" ec2 describe-vpcs --vpc-ids "$VPC_ID" --query 'Vpcs[0].CidrBlockAssociationSet[].CidrBlock' --output text | tr '\t' ',')"
      [ -n "$cidrs" ] && [ "$cidrs" != None ] && parameters=("$TRUSTED_PROXIES_PARAMETER=$cidrs")
    fi
    # The database's subnets: on an update the stack keeps its own blocks (a parameter that
    # cloudformation deploy is not given keeps its previous value; new blocks would replace the
    # subnets under the database), else two blocks the VPC does not use yet.
    if [ -n "$DATABASE_SUBNETS_PARAMETER" ]; then
      held="$("${AWS[@]}" cloudformation describe-stacks --stack-name "$STACK" \
        --query "length(Stacks[0].Parameters[?ParameterKey=='$DATABASE_SUBNETS_PARAMETER'])" --output text 2>/dev/null || true)"
      if [ "$held" != 1 ]; then
        blocks="$(python3 scripts/free-subnet-blocks.py --prefix "$DATABASE_SUBNET_PREFIX" \
          --vpc "$("${AWS[@]}" ec2 describe-vpcs --vpc-ids "$VPC_ID" --query 'Vpcs[0].CidrBlockAssociationSet[].CidrBlock' --output text)" \
          --taken "$("${AWS[@]}" ec2 describe-subnets --filters "Name=vpc-id,Values=$VPC_ID" --query 'Subnets[].CidrBlock' --output text)")"
        parameters+=("$DATABASE_SUBNETS_PARAMETER=$blocks")
      fi
    fi
    # Replacing the database would move the games to a new, empty one: only when asked.
    if [ -n "$DATABASE_ID" ] && [ -z "$dry_run" ] && "${AWS[@]}" cloudformation describe-stacks --stack-name "$STACK" >/dev/null 2>&1; then
      replaced="$(change_set 2>/dev/null | awk -F'\t' -v id="$DATABASE_ID" '$2 == id && ($4 == "True" || $4 == "Conditional") { print $2 " (" $3 ", replacement " $4 ")" }')"
      if [ -n "$replaced" ] && [ "${REPLACE_DATABASE:-}" != 1 ]; then
        echo "error: this deploy would replace the database: $replaced; its games would stay in the old one (snapshotted or retained as deploy.database.on_delete says). Pass REPLACE_DATABASE=1 to do it anyway" >&2
        exit 1
      fi
    fi
    confirm "deploy $VARIANT ($ARCH) with template $TEMPLATE"
    echo "release: ${VERSION:-dev}, image $REPOSITORY@${DIGEST:-<the digest $REPOSITORY:$VARIANT names at deploy time>}; strategy: $STRATEGY"
    [ -n "$DIGEST" ] && parameters+=("$IMAGE_DIGEST_PARAMETER=$DIGEST" "$RELEASE_PARAMETER=${VERSION:-dev}")
    previous="$(stack_parameter "$IMAGE_DIGEST_PARAMETER") $(stack_parameter "$RELEASE_PARAMETER")"
    deploy_stack=(timeout "$((WAIT + 600))" "${AWS[@]}" cloudformation deploy --stack-name "$STACK" --template-file "$TEMPLATE"
      --capabilities CAPABILITY_NAMED_IAM --no-fail-on-empty-changeset
      --parameter-overrides "VpcId=$VPC_ID" "SubnetIds=$SUBNETS" "${parameters[@]}" --tags "tictactoe:variant=$VARIANT" "tictactoe:version=${VERSION:-dev}")
    if [ -n "$dry_run" ]; then run "${deploy_stack[@]}"; exit 0; fi
    echo "+ ${deploy_stack[*]}"
    # A database takes minutes, a canary its bake times: the stack's events and the deployment's
    # phase are shown as they happen.
    with_events "${deploy_stack[@]}"
    # The stack runs the release now (CloudFormation waited for the service): it joins the list
    # that make releases shows and make rollback chooses from.
    if [ "$previous" != "$DIGEST ${VERSION:-dev}" ]; then
      "${OPERATE[@]}" record --parameter "$RELEASES_PARAMETER" --version "${VERSION:-dev}" --digest "$DIGEST" --how deploy
    fi
    wait_stable
    url="$(service_url)"
    echo "play at: $url"
    # The deploy is proven by playing one short game through the deployed address.
    if [ "${SMOKE:-1}" != 0 ]; then
      "$TT" smoke "${SMOKE_URL:-$url}" --wait "${SMOKE_WAIT:-120}" || {
        echo "error: $VARIANT is deployed but did not play a game (above: the step and the answer); make logs shows the tasks' side, make rollback the previous release" >&2
        exit 1
      }
    fi
    ;;
  destroy)
    # What happens to the games' database, said before asking.
    kind="$DATABASE_KIND"
    if [ -n "$kind" ]; then
      if [ "$DATABASE_DELETION_PROTECTION" = true ]; then
        echo "the database ($kind) has deletion protection: deleting the stack will stop at it, with the data safe; to delete it, set deploy.database.deletion_protection: false in $VARIANT_FILE and make deploy first"
      elif [ "$DATABASE_ON_DELETE" = retain ]; then
        echo "the database ($kind) is kept with its data (deploy.database.on_delete: retain), outside the stack: delete it yourself when it is no longer needed"
      else
        list="aws rds describe-db-snapshots --snapshot-type manual"
        [ "$kind" = aurora-serverless ] && list="aws rds describe-db-cluster-snapshots --snapshot-type manual"
        echo "the database ($kind) is deleted after a final snapshot (deploy.database.on_delete: snapshot), named after the stack $STACK: $list lists it"
      fi
    fi
    confirm "delete the stack and everything in it"
    [ -n "$dry_run" ] || events_mark
    run "${AWS[@]}" cloudformation delete-stack --stack-name "$STACK"
    [ -n "$dry_run" ] && exit 0
    deadline=$((SECONDS + WAIT))
    while status="$("${AWS[@]}" cloudformation describe-stacks --stack-name "$STACK" --query 'Stacks[0].StackStatus' --output text 2>/dev/null)"; do
      events_show
      [ "$status" = DELETE_COMPLETE ] && break
      [ "$status" = DELETE_FAILED ] && { echo "error: deleting $STACK failed; see the CloudFormation events" >&2; exit 1; }
      [ "$SECONDS" -ge "$deadline" ] && { echo "error: $STACK still $status after ${WAIT}s" >&2; exit 3; }
      sleep 3
    done
    "${AWS[@]}" ssm delete-parameter --name "$RELEASES_PARAMETER" >/dev/null 2>&1 || true
    echo "deleted $STACK"
    ;;
  diff)
    render
    if ! "${AWS[@]}" cloudformation get-template --stack-name "$STACK" --query TemplateBody --output json >build/cfn/$VARIANT.deployed.json 2>/dev/null; then
      echo "$STACK is not deployed: make deploy VARIANT=$VARIANT would create everything in $TEMPLATE"; exit 0
    fi
    # get-template returns the body as a JSON string (a JSON template) or an object: both sorted.
    deployed="build/cfn/$VARIANT.deployed.json"
    if [ "$(head -c1 "$deployed")" = '"' ]; then jq -r . "$deployed" >"$deployed.body" && mv "$deployed.body" "$deployed"; fi
    if diff -u --label deployed --label rendered <(jq -S . "$deployed") <(jq -S . "$TEMPLATE"); then
      echo "no changes: the deployed stack matches the variant"
    fi
    if changes="$(change_set 2>/dev/null)" && [ -n "$changes" ]; then
      echo "CloudFormation's change set (action, resource, type, replacement):"
      printf '%s\n' "$changes" | awk -F'\t' '{ printf "  %-8s %-28s %-42s replacement: %s\n", $1, $2, $3, $4 }'
    fi
    ;;
  status)
    "${AWS[@]}" cloudformation describe-stacks --stack-name "$STACK" --query 'Stacks[0].[StackName,StackStatus]' --output text
    echo "release: $(stack_parameter "$RELEASE_PARAMETER") ($(stack_parameter "$IMAGE_DIGEST_PARAMETER")); strategy: $STRATEGY"
    "${AWS[@]}" ecs describe-services --cluster "$CLUSTER" --services "$SERVICE" \
      --query 'services[0].{desired:desiredCount,running:runningCount,pending:pendingCount,taskDefinition:taskDefinition,deployments:deployments[].[status,rolloutState,runningCount]}' --output json
    ;;
  logs)
    args=(logs --group "$LOG_GROUP" --since "${SINCE:-10m}" --prefix "$CONTAINER" --container "$CONTAINER")
    [ "${FOLLOW:-}" = 1 ] && args+=(--follow)
    [ -n "${LEVEL:-}" ] && args+=(--level "$LEVEL")
    [ -n "${FILTER:-}" ] && args+=(--filter "$FILTER")
    [ -n "${TASK:-}" ] && args+=(--task "$TASK")
    [ "${PREVIOUS:-}" = 1 ] && args+=(--previous --cluster "$CLUSTER" --service "$SERVICE")
    exec "${OPERATE[@]}" "${args[@]}"
    ;;
  url)
    service_url
    ;;
  releases)
    "${OPERATE[@]}" releases --parameter "$RELEASES_PARAMETER" --current "$(stack_parameter "$IMAGE_DIGEST_PARAMETER")"
    ;;
  rollback)
    # An earlier release's image, deployed through the stack (the same template, its digest and
    # version as parameters), so that the stack and the service never disagree.
    current="$(stack_parameter "$IMAGE_DIGEST_PARAMETER")"
    [ -n "$current" ] || [ -n "${TO:-}" ] || { echo "error: $STACK runs no recorded release (make deploy records them); name one with TO=version" >&2; exit 1; }
    target="$("${OPERATE[@]}" release --parameter "$RELEASES_PARAMETER" ${TO:+--to "$TO"} --before "$current")" || exit $?
    read -r version digest <<<"$target"
    confirm "roll back from $(stack_parameter "$RELEASE_PARAMETER") to $version ($digest)"
    # Every other parameter keeps the value the stack holds now (the subnets, the database's blocks).
    parameters="$("${AWS[@]}" cloudformation describe-stacks --stack-name "$STACK" --query 'Stacks[0].Parameters' --output json \
      | jq -c --arg dk "$IMAGE_DIGEST_PARAMETER" --arg d "$digest" --arg vk "$RELEASE_PARAMETER" --arg v "$version" \
        '[.[] | {ParameterKey, ParameterValue: (if .ParameterKey == $dk then $d elif .ParameterKey == $vk then $v else .ParameterValue end)}]')"
    update=("${AWS[@]}" cloudformation update-stack --stack-name "$STACK" --use-previous-template --capabilities CAPABILITY_NAMED_IAM
      --parameters "$parameters")
    run "${update[@]}" --query StackId --output text
    [ -n "$dry_run" ] && exit 0
    with_events timeout "$WAIT" "${AWS[@]}" cloudformation wait stack-update-complete --stack-name "$STACK" || {
      echo "error: the stack did not finish rolling back to $version within ${WAIT}s; make status shows where it is" >&2
      exit 3
    }
    "${OPERATE[@]}" record --parameter "$RELEASES_PARAMETER" --version "$version" --digest "$digest" --how rollback
    wait_stable
    echo "rolled back to $version: the stack and the service run $REPOSITORY@$digest"
    ;;
  drift)
    exec "${OPERATE[@]}" drift --stack "$STACK" --wait "$WAIT"
    ;;
  dashboard)
    url="$(stack_value Output DashboardURL)"
    if [ -z "$url" ]; then echo "$STACK is not deployed (or has no dashboard yet): make deploy VARIANT=$VARIANT"; exit 1; fi
    echo "$url"
    ;;
  exec)
    if [ "$EXEC_ENABLED" != true ]; then
      echo "error: ECS Exec is off for $VARIANT: set deploy.exec: true in $VARIANT_FILE, make deploy VARIANT=$VARIANT, then make exec again" >&2
      exit 2
    fi
    # The image holds one program and no shell: a command is that program with its arguments.
    read -r -a words <<<"${CMD:-tictactoe healthcheck}"
    case "${words[0]:-}" in
      tictactoe | "$BINARY_PATH") words[0]="$BINARY_PATH" ;;
      *)
        echo "error: the image has no shell, only $BINARY_PATH: CMD='tictactoe check-config $CONFIG_PATH', 'tictactoe healthcheck' or 'tictactoe --version'" >&2
        exit 2
        ;;
    esac
    task="${TASK:-}"
    if [ -z "$task" ]; then
      task="$("${AWS[@]}" ecs list-tasks --cluster "$CLUSTER" --service-name "$SERVICE" --desired-status RUNNING --query 'taskArns[0]' --output text 2>/dev/null)" || {
        echo "error: $SERVICE is not deployed in $REGION (ECS has no cluster $CLUSTER with it): make deploy VARIANT=$VARIANT" >&2
        exit 1
      }
      if [ -z "$task" ] || [ "$task" = None ]; then echo "error: $SERVICE has no running task to open a session in; make status" >&2; exit 1; fi
    fi
    if [ -z "$dry_run" ] && ! command -v session-manager-plugin >/dev/null; then
      echo "error: the aws CLI opens ECS Exec sessions with AWS's Session Manager plugin, which is not installed: https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html" >&2
      exit 1
    fi
    echo "session in ${task##*/}: the image has no shell; tictactoe check-config $CONFIG_PATH, healthcheck and --version are what runs (CMD='…')"
    run "${AWS[@]}" ecs execute-command --cluster "$CLUSTER" --task "$task" --container "$CONTAINER" --interactive --command "${words[*]}"
    ;;
  run-task)
    render
    network
    cluster="$CLUSTER"; sg="$("${AWS[@]}" cloudformation describe-stack-resource --stack-name "$STACK" --logical-resource-id "$SERVICE_SECURITY_GROUP_ID" --query 'StackResourceDetail.PhysicalResourceId' --output text)"
    run "${AWS[@]}" ecs run-task --cluster "$cluster" --launch-type FARGATE --task-definition "$FAMILY" \
      --network-configuration "awsvpcConfiguration={subnets=[$SUBNETS],securityGroups=[$sg],assignPublicIp=ENABLED}" \
      --query 'tasks[0].taskArn' --output text
    ;;
  *) echo "usage: fargate.sh verify|deploy|destroy|diff|status|logs|url|rollback|releases|drift|exec|dashboard|run-task" >&2; exit 2 ;;
esac
