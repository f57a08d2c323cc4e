#!/usr/bin/env bash
# Build the image and deploy template.yaml with AWS SAM, then print the API URL.
#   deploy/deploy.sh <environment> <region>      e.g. deploy/deploy.sh prod eu-west-1
# Needs: the AWS SAM CLI, Docker, and AWS credentials allowed to deploy CloudFormation stacks.
set -euo pipefail
cd "$(dirname "$0")/.."
ENVIRONMENT="${1:?usage: deploy/deploy.sh <environment> <region>}"
REGION="${2:?usage: deploy/deploy.sh <environment> <region>}"
STACK="duelarena-${ENVIRONMENT}"
command -v sam >/dev/null || { echo "install the AWS SAM CLI: https://docs.aws.amazon.com/serverless-application-model/" >&2; exit 2; }

# The app's secrets are SSM SecureString parameters under /duelarena/<environment> (CloudFormation cannot
# create SecureString parameters). The first deploy generates DJANGO_SECRET_KEY; the value goes to the
# CLI through a private temporary file, never on a command line (ps, shell history) or in the output.
SECRETS_PATH="/duelarena/${ENVIRONMENT}"
if [ "$(aws ssm get-parameters --region "$REGION" --names "${SECRETS_PATH}/DJANGO_SECRET_KEY" \
        --query 'length(Parameters)' --output text)" = "0" ]; then
  key_file=$(mktemp)
  trap 'rm -f "$key_file"' EXIT
  python3 -c 'import secrets, sys; sys.stdout.write(secrets.token_urlsafe(64))' >"$key_file"
  aws ssm put-parameter --region "$REGION" --name "${SECRETS_PATH}/DJANGO_SECRET_KEY" --type SecureString \
    --tier Standard --value "file://${key_file}" >/dev/null
  rm -f "$key_file"
  echo "created ${SECRETS_PATH}/DJANGO_SECRET_KEY (SecureString); add the other keys as README 'Deploying to AWS' says"
fi

sam build --template-file template.yaml
sam deploy \
  --stack-name "$STACK" \
  --region "$REGION" \
  --resolve-image-repos \
  --capabilities CAPABILITY_IAM \
  --no-fail-on-empty-changeset \
  --parameter-overrides "EnvironmentName=${ENVIRONMENT}" ${EXTRA_PARAMETERS:-}

# SAM's --resolve-image-repos creates the image repositories (one per function) without a lifecycle
# policy: keep the 5 newest images of each so old pushes do not pile up storage charges.
LIFECYCLE='{"rules":[{"rulePriority":1,"description":"keep the 5 newest images","selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":5},"action":{"type":"expire"}}]}'
for function in "duelarena-${ENVIRONMENT}" "duelarena-${ENVIRONMENT}-turns"; do
  image=$(aws lambda get-function --region "$REGION" --function-name "$function" --query Code.ImageUri --output text)
  repository=${image#*/}
  repository=${repository%%[:@]*}
  aws ecr put-lifecycle-policy --region "$REGION" --repository-name "$repository" \
    --lifecycle-policy-text "$LIFECYCLE" >/dev/null
done

output() {
  aws cloudformation describe-stacks --region "$REGION" --stack-name "$STACK" \
    --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text
}

# Static files: collectstatic into ./staticfiles with the production storage (hashed names and the
# manifest the image's app looks them up in, as the Dockerfile does; throwaway keys, never stored), then
# to the bucket CloudFront serves /static/* from.
DUELARENA_ENV=production DJANGO_ALLOWED_HOSTS=build DJANGO_DEBUG=0 \
  DJANGO_SECRET_KEY="$(python3 -c 'import secrets; print(secrets.token_urlsafe(64))')" \
  JWT_SIGNING_KEY="$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')" \
  DJANGO_SETTINGS_MODULE=duelarena.settings .venv/bin/python manage.py collectstatic --noinput >/dev/null
aws s3 sync staticfiles/ "s3://$(output StaticBucketName)/static/" --region "$REGION" --delete \
  --cache-control "public, max-age=31536000, immutable"

url=$(output ApiUrl)
site=$(output SiteUrl)
echo "API: ${url}  (docs: ${url}/api/docs, health: ${url}/health)"
echo "Site (static files from S3 and the API, one origin): ${site}"
