// The four documents' sample requests, verbatim (/work/shared/seeds; placeholders as the
// documents write them). The dialect tests run them with curl; scripts/dialect-samples.ts
// replays them into docs/dialects.md.

/** 001 (Django-OAuth-Toolkit): 1.1 and 2.1. */
export const O_GENERATE = 'curl -X POST -d "grant_type=password&username={USERNAME}&password={PASSWORD}" https://{CLIENT_ID}:{CLIENT_SECRET}@{ENV}/o/token/';
export const O_REFRESH = 'curl -X POST -d "grant_type=refresh_token&refresh_token={REFRESH_TOKEN}" https://{CLIENT_ID}:{CLIENT_SECRET}@{ENV}/o/token/';

/** 002 (WSO2 APK): the "Sample Request", with the sample client's Basic header. */
export const APK_SAMPLE = `curl -k --location 'https://idp.am.wso2.com:9095/oauth2/token' \\
   --header 'Host: idp.am.wso2.com' \\
   --header 'Authorization: Basic NDVmMWM1YzgtYTkyZS0xMWVkLWFmYTEtMDI0MmFjMTIwMDAyOjRmYmQ2MmVjLWE5MmUtMTFlZC1hZmExLTAyNDJhYzEyMDAwMg==' \\
   --header 'Content-Type: application/x-www-form-urlencoded' \\
   --data-urlencode 'grant_type=client_credentials'`;
export const APK_SAMPLE_HOST = 'idp.am.wso2.com:9095';

/** 000 (HCX). */
export const HCX_SAMPLE = `curl --location 'http://\${env}-hcx.swasth.app/api/v0.8/participant/auth/token/generate' \\
--header 'content-type: application/x-www-form-urlencoded' \\
--data-urlencode 'username=\${user_id}' \\
--data-urlencode 'participant_code=\${participant_code}' \\
--data-urlencode 'password=\${password}'`;
export const HCX_SAMPLE_HOST = '${env}-hcx.swasth.app';

/** 003 (v1): step 1 (refresh) and step 2 (validation); their lines are joined as curl's words. */
export const V1_REFRESH = `curl -X POST {OAUTH_URL}/v1/oauth/token/{token_type} 
--header 'Content-Type: application/json'
  -d '{
  "grant_type":"refresh_token",
  "refresh_token":"064be187f42e9238122ef9d7a985c8800dff3752",
  "client_id":"xxxxxxxxxxxxxxxxxxxxxxxxxxx",
  "client_secret":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
}'`;
export const V1_DOC_ACCESS_TOKEN = 'eyJ0b2tlbkNvbnRlbnQiOnsiaXNzdWVkRm9yIjoiRnJlc2h3b3JrcyIsInNjb3BlIjoiIiwiaXNzdWVkQXQiOjE1NTk4MDQ1Nzg1ODIsImV4cGlyZXNBdCI6IjIwMTktMDYtMjFUMDc6MDI6NTguNTgyWiIsInRva2VuX3R5cGUiOiJ';
export const V1_VALIDATE = `curl -X GET {OAUTH_URL}/v1/oauth/token 
-H 'Authorization: Bearer ${V1_DOC_ACCESS_TOKEN}'
--header 'Content-Type: application/json'`;

/** v1 step 1 with the document's literal values replaced by real ones. */
export function v1Refresh(url: string, tokenType: string, refreshToken: string, clientId: string, clientSecret: string): string {
  return V1_REFRESH.replace('{OAUTH_URL}', url).replace('{token_type}', tokenType)
    .replace('064be187f42e9238122ef9d7a985c8800dff3752', refreshToken)
    .replace('"xxxxxxxxxxxxxxxxxxxxxxxxxxx"', JSON.stringify(clientId)).replace('"xxxxxxxxxxxxxxxxxxxxxxxxxxxxx"', JSON.stringify(clientSecret));
}

/** v1 step 2 with a real token (or the document's own, when none is given). */
export function v1Validate(url: string, accessToken = V1_DOC_ACCESS_TOKEN): string {
  return V1_VALIDATE.replace('{OAUTH_URL}', url).replace(V1_DOC_ACCESS_TOKEN, accessToken);
}

/** HCX's request with the host and variables filled in; participant_code null drops that line. */
export function hcxSample(host: string, user: string, participantCode: string | null, password: string): string {
  const cmd = HCX_SAMPLE.replace(HCX_SAMPLE_HOST, host).replace('${user_id}', user).replace('${password}', password);
  return participantCode === null
    ? cmd.replace("--data-urlencode 'participant_code=${participant_code}' \\\n", '')
    : cmd.replace('${participant_code}', participantCode);
}

/** Fills `{NAME}` placeholders (the o document's style). */
export const fill = (tpl: string, v: Record<string, string>) => tpl.replace(/\{(\w+)\}/g, (m, k: string) => v[k] ?? m);
