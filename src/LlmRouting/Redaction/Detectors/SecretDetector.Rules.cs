using System.Buffers;
using System.Text.RegularExpressions;

namespace LlmRouting;

/// <summary>The secret formats.</summary>
internal sealed partial class SecretDetector
{
    private const string AlphaNum = "A-Za-z0-9";
    private const string Word = "A-Za-z0-9_";
    private const string UrlSafe = "A-Za-z0-9_-";
    private const string Hex = "a-fA-F0-9";
    private const string LowerHex = "a-f0-9";
    private const string Base64 = "A-Za-z0-9+/=";
    private const string LowerAlphaNum = "a-z0-9";

    // Values of passwords and generic secrets: printable ASCII except whitespace, quotes, separators and brackets that end a value.
    private static readonly SearchValues<char> s_valueChars = SearchValues.Create(
        Enumerable.Range(33, 94).Select(c => (char)c).Where(c => c is not ('"' or '\'' or '`' or ';' or ',' or '<' or '>' or '(' or ')' or '[' or ']' or '{' or '}' or '\\')).ToArray());

    private static readonly SearchValues<char> s_headerValueChars = SecretRule.Chars("A-Za-z0-9_~+/=.@:!$%^&*-");

    // Character sets and word lists of the readers, built once (not per call).
    private static readonly SearchValues<char> s_terraformChars = SecretRule.Chars("A-Za-z0-9_=-");
    private static readonly SearchValues<char> s_urlWithPathChars = SecretRule.Chars("A-Za-z0-9_./+=%@-");
    private static readonly SearchValues<char> s_alphaNumPercent = SecretRule.Chars("A-Za-z0-9%");
    private static readonly SearchValues<char> s_schemeChars = SecretRule.Chars("A-Za-z0-9-");
    private static readonly SearchValues<char> s_letters = SecretRule.Chars("a-zA-Z");
    private static readonly SearchValues<char> s_memberAccessChars = SecretRule.Chars("A-Za-z_.");

    private static readonly string[] s_nonSecretSuffixes =
    [
        "name", "id", "ids", "file", "path", "url", "uri", "type", "size", "length", "len", "count", "format", "prefix", "version",
        "store", "ring", "chain", "pair", "board", "word", "words", "note", "notes",
    ];

    private static SecretRule[] BuildRules()
    {
        var rules = new List<SecretRule>
        {
            // --- AI providers ---------------------------------------------------------------------------------------
            SecretRule.Prefix("anthropic", "sk-ant-api03-", UrlSafe, 80, 120, check: v => v.EndsWith("AA", StringComparison.Ordinal)),
            SecretRule.Prefix("anthropic_admin", "sk-ant-admin01-", UrlSafe, 80, 120, check: v => v.EndsWith("AA", StringComparison.Ordinal)),
            SecretRule.Prefix("anthropic", "sk-ant-", UrlSafe, 40, 140, check: v => v.EndsWith("AA", StringComparison.Ordinal)),
            SecretRule.Prefix("openai", "sk-proj-", UrlSafe, 40, 300),
            SecretRule.Prefix("openai", "sk-svcacct-", UrlSafe, 40, 300),
            SecretRule.Prefix("openai_admin", "sk-admin-", UrlSafe, 40, 300),
            SecretRule.Prefix("openai", "sk-None-", UrlSafe, 40, 300),
            SecretRule.Prefix("openrouter", "sk-or-v1-", LowerHex, 64, 64),
            SecretRule.Custom("openai", "sk-", false, ReadSkKey, SecretRuleScope.TokenStart),
            SecretRule.Prefix("groq", "gsk_", AlphaNum, 52, 52),
            SecretRule.Prefix("xai", "xai-", AlphaNum, 70, 90),
            SecretRule.Prefix("perplexity", "pplx-", AlphaNum, 48, 48),
            SecretRule.Prefix("replicate", "r8_", AlphaNum, 37, 37),
            SecretRule.Prefix("langsmith", "lsv2_pt_", "a-f0-9_", 40, 50),
            SecretRule.Prefix("langsmith", "lsv2_sk_", "a-f0-9_", 40, 50),
            SecretRule.Prefix("tavily", "tvly-", "A-Za-z0-9-", 32, 48),
            SecretRule.Prefix("pinecone", "pcsk_", Word, 60, 90),
            SecretRule.Prefix("huggingface", "hf_", "A-Za-z", 34, 34),
            SecretRule.Prefix("huggingface_org", "api_org_", "A-Za-z", 34, 34),
            SecretRule.Keyword("cohere", "cohere", AlphaNum, 40, 40, minEntropy: 3.5),
            SecretRule.Keyword("cohere", "co_api_key", AlphaNum, 40, 40, minEntropy: 3.5),
            SecretRule.Keyword("mistral", "mistral", AlphaNum, 32, 32, minEntropy: 3.5),

            // --- Cloud providers ------------------------------------------------------------------------------------
            SecretRule.Custom("aws_access_key_id", "AKIA", false, ReadAwsKeyId, SecretRuleScope.Anywhere),
            SecretRule.Custom("aws_access_key_id", "ASIA", false, ReadAwsKeyId, SecretRuleScope.Anywhere),
            SecretRule.Custom("aws_access_key_id", "ABIA", false, ReadAwsKeyId, SecretRuleScope.Anywhere),
            SecretRule.Custom("aws_access_key_id", "ACCA", false, ReadAwsKeyId, SecretRuleScope.Anywhere),
            SecretRule.Custom("aws_access_key_id", "A3T", false, ReadAwsKeyId, SecretRuleScope.Anywhere),
            SecretRule.Keyword("aws_secret_access_key", "aws_secret_access_key", Base64, 40, 40),
            SecretRule.Keyword("aws_secret_access_key", "aws_secret_key", Base64, 40, 40),
            SecretRule.Keyword("aws_secret_access_key", "secret_access_key", Base64, 40, 40),
            SecretRule.Keyword("aws_secret_access_key", "secretaccesskey", Base64, 40, 40),
            SecretRule.Keyword("aws_secret_access_key", "aws_secret", Base64, 40, 40),
            SecretRule.Keyword("aws_session_token", "aws_session_token", Base64, 100, 2000),
            SecretRule.Prefix("aws_bedrock_api_key", "ABSK", Base64, 100, 300),
            SecretRule.Prefix("aws_bedrock_api_key", "bedrock-api-key-", Base64, 40, 2000),
            SecretRule.Prefix("google_api_key", "AIza", UrlSafe, 35, 35),
            SecretRule.Prefix("google_oauth_client_secret", "GOCSPX-", UrlSafe, 28, 28),
            SecretRule.Prefix("google_oauth_access_token", "ya29.", UrlSafe, 30, 2000),
            SecretRule.Prefix("google_oauth_refresh_token", "1//0", UrlSafe, 40, 200),
            SecretRule.Keyword("azure_storage_key", "AccountKey", Base64, 86, 90),
            SecretRule.Keyword("azure_shared_access_key", "SharedAccessKey", Base64, 40, 90),
            SecretRule.Keyword("azure_sas_token", "sig", "A-Za-z0-9%+/=", 40, 120, check: v => v.Contains("%3D", StringComparison.OrdinalIgnoreCase) || v.EndsWith('=')),
            SecretRule.Custom("azure_ad_client_secret", "Q~", false, ReadAzureAdSecret, SecretRuleScope.InToken),
            SecretRule.Keyword("azure_openai_key", "api-key", LowerHex, 32, 32),
            SecretRule.Prefix("alibaba_access_key_id", "LTAI", AlphaNum, 20, 20),
            SecretRule.Prefix("digitalocean_access_token", "doo_v1_", LowerHex, 64, 64),
            SecretRule.Prefix("digitalocean_pat", "dop_v1_", LowerHex, 64, 64),
            SecretRule.Prefix("digitalocean_refresh_token", "dor_v1_", LowerHex, 64, 64),
            SecretRule.Prefix("cloudflare_origin_ca_key", "v1.0-", "a-f0-9-", 170, 172),
            SecretRule.Keyword("cloudflare_api_key", "cloudflare", UrlSafe, 37, 40, minEntropy: 3.2),
            SecretRule.Prefix("flyio_token", "fo1_", UrlSafe, 43, 43),
            SecretRule.Prefix("flyio_token", "fm1a_", Base64, 100, 1000),
            SecretRule.Prefix("flyio_token", "fm1r_", Base64, 100, 1000),
            SecretRule.Prefix("flyio_token", "fm2_", Base64, 100, 1000),
            SecretRule.Prefix("heroku_api_key", "HRKU-AA", UrlSafe, 58, 58),
            SecretRule.Keyword("heroku_api_key", "heroku", "A-Fa-f0-9-", 36, 36, check: IsUuid),
            SecretRule.Prefix("scalingo_api_token", "tk-us-", UrlSafe, 48, 48),
            SecretRule.Prefix("ibm_cloud_api_key", "ibm_api_key_", UrlSafe, 44, 44),
            SecretRule.Prefix("databricks_token", "dapi", LowerHex, 32, 34, check: v => v.Length >= 36),
            SecretRule.Prefix("planetscale_token", "pscale_tkn_", "A-Za-z0-9_=.-", 32, 64),
            SecretRule.Prefix("planetscale_oauth", "pscale_oauth_", "A-Za-z0-9_=.-", 32, 64),
            SecretRule.Prefix("planetscale_password", "pscale_pw_", "A-Za-z0-9_=.-", 32, 64),
            SecretRule.Prefix("dynatrace_token", "dt0c01.", "A-Za-z0-9.", 89, 89),
            SecretRule.Prefix("doppler_token", "dp.pt.", AlphaNum, 43, 43),
            SecretRule.Prefix("doppler_token", "dp.st.", "A-Za-z0-9._", 43, 80),
            SecretRule.Prefix("pulumi_token", "pul-", LowerHex, 40, 40),
            SecretRule.Custom("terraform_cloud_token", ".atlasv1.", false, ReadTerraformToken, SecretRuleScope.InToken),
            SecretRule.Prefix("vault_service_token", "hvs.", UrlSafe, 90, 120),
            SecretRule.Prefix("vault_batch_token", "hvb.", UrlSafe, 138, 300),
            SecretRule.Keyword("vault_service_token", "vault", "A-Za-z0-9.", 26, 26, check: v => v.StartsWith("s.", StringComparison.Ordinal)),
            SecretRule.Keyword("vault_service_token", "token", "A-Za-z0-9.", 26, 26, check: v => v.StartsWith("s.", StringComparison.Ordinal) && v.AsSpan(2).ContainsAnyInRange('0', '9')),
            SecretRule.Prefix("openshift_token", "sha256~", UrlSafe, 43, 43),
            SecretRule.Prefix("age_secret_key", "AGE-SECRET-KEY-1", "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 58, 58),
            SecretRule.Prefix("onepassword_service_account", "ops_eyJ", Base64, 200, 4000),
            SecretRule.Custom("onepassword_secret_key", "A3-", false, ReadOnePasswordKey, SecretRuleScope.TokenStart),

            // --- Source control and CI -----------------------------------------------------------------------------
            SecretRule.Prefix("github_pat", "ghp_", AlphaNum, 36, 36),
            SecretRule.Prefix("github_oauth", "gho_", AlphaNum, 36, 36),
            SecretRule.Prefix("github_app_token", "ghu_", AlphaNum, 36, 36),
            SecretRule.Prefix("github_app_token", "ghs_", AlphaNum, 36, 36),
            SecretRule.Prefix("github_refresh_token", "ghr_", AlphaNum, 36, 76),
            SecretRule.Prefix("github_fine_grained", "github_pat_", Word, 82, 82),
            SecretRule.Prefix("gitlab_pat", "glpat-", "A-Za-z0-9_.-", 20, 320),
            SecretRule.Prefix("gitlab_deploy_token", "gldt-", UrlSafe, 20, 20),
            SecretRule.Prefix("gitlab_feed_token", "glft-", UrlSafe, 20, 20),
            SecretRule.Prefix("gitlab_runner_token", "glrt-", "A-Za-z0-9_.-", 20, 320),
            SecretRule.Prefix("gitlab_cicd_job_token", "glcbt-", UrlSafe, 22, 30),
            SecretRule.Prefix("gitlab_incoming_mail_token", "glimt-", UrlSafe, 25, 25),
            SecretRule.Prefix("gitlab_agent_token", "glagent-", UrlSafe, 50, 50),
            SecretRule.Prefix("gitlab_oauth_secret", "gloas-", UrlSafe, 64, 64),
            SecretRule.Prefix("gitlab_pipeline_trigger_token", "glptt-", LowerHex, 40, 40),
            SecretRule.Prefix("gitlab_scim_token", "glsoat-", UrlSafe, 20, 20),
            SecretRule.Prefix("gitlab_feature_flag_token", "glffct-", UrlSafe, 20, 20),
            SecretRule.Prefix("gitlab_runner_registration_token", "GR1348941", UrlSafe, 20, 20),
            SecretRule.Prefix("gitlab_session_cookie", "_gitlab_session=", LowerAlphaNum, 32, 32),
            SecretRule.Prefix("bitbucket_app_password", "ATBB", AlphaNum, 32, 32),
            SecretRule.Prefix("atlassian_api_token", "ATATT3", "A-Za-z0-9_=-", 180, 200),
            SecretRule.Prefix("npm_token", "npm_", AlphaNum, 36, 36),
            SecretRule.Prefix("nuget_api_key", "oy2", LowerAlphaNum, 43, 43),
            SecretRule.Prefix("pypi_token", "pypi-AgEIcHlwaS5vcmc", UrlSafe, 50, 1000),
            SecretRule.Prefix("rubygems_token", "rubygems_", LowerHex, 48, 48),
            SecretRule.Prefix("clojars_token", "CLOJARS_", LowerAlphaNum, 60, 60, ignoreCase: true),
            SecretRule.Prefix("docker_hub_pat", "dckr_pat_", UrlSafe, 27, 27),
            SecretRule.Prefix("circleci_token", "CCIPAT_", Word, 40, 60),
            SecretRule.Prefix("travis_ci_token", "travis_", AlphaNum, 22, 22),
            SecretRule.Prefix("sourcegraph_token", "sgp_", "A-Za-z0-9_", 40, 60, check: IsSourcegraphToken, minEntropy: 3),
            SecretRule.Keyword("sourcegraph_token", "sourcegraph", Hex, 40, 40),
            SecretRule.Prefix("sonar_token", "squ_", LowerHex, 40, 40),
            SecretRule.Prefix("sonar_token", "sqp_", LowerHex, 40, 40),
            SecretRule.Prefix("sonar_token", "sqa_", LowerHex, 40, 40),
            SecretRule.Keyword("sonar_token", "sonar_login", UrlSafe, 40, 40),
            SecretRule.Keyword("sonar_token", "sonar.login", UrlSafe, 40, 40),
            SecretRule.Keyword("sonar_token", "sonar_token", UrlSafe, 40, 40),
            SecretRule.Keyword("snyk_token", "snyk", "A-Fa-f0-9-", 36, 36, check: IsUuid),
            SecretRule.Prefix("jfrog_token", "AKCp", AlphaNum, 69, 69),
            SecretRule.Prefix("jfrog_reference_token", "cmVmd", AlphaNum, 59, 59),
            SecretRule.Prefix("postman_api_key", "PMAK-", "a-fA-F0-9-", 59, 59),
            SecretRule.Prefix("octopus_deploy_api_key", "API-", "A-Z0-9", 26, 26),
            SecretRule.Prefix("harness_token", "pat.", "A-Za-z0-9_.-", 60, 80, check: v => v.Count('.') == 3),
            SecretRule.Prefix("harness_token", "sat.", "A-Za-z0-9_.-", 60, 80, check: v => v.Count('.') == 3),
            SecretRule.Prefix("infracost_token", "ico-", AlphaNum, 32, 32),
            SecretRule.Prefix("prefect_token", "pnu_", AlphaNum, 36, 36),
            SecretRule.Prefix("readme_token", "rdme_", LowerAlphaNum, 70, 70),
            SecretRule.Prefix("linear_api_key", "lin_api_", AlphaNum, 40, 40),
            SecretRule.Prefix("frameio_token", "fio-u-", "A-Za-z0-9_=-", 64, 64),
            SecretRule.Prefix("intra42_secret", "s-s4t2ud-", LowerHex, 64, 64),
            SecretRule.Prefix("intra42_secret", "s-s4t2af-", LowerHex, 64, 64),
            SecretRule.Prefix("settlemint_token", "sm_aat_", AlphaNum, 16, 16),
            SecretRule.Prefix("settlemint_token", "sm_pat_", AlphaNum, 16, 16),
            SecretRule.Prefix("settlemint_token", "sm_sat_", AlphaNum, 16, 16),
            SecretRule.Prefix("clickhouse_secret", "4b1d", AlphaNum, 38, 38),

            // --- Messaging and collaboration ------------------------------------------------------------------------
            SecretRule.Prefix("slack_bot_token", "xoxb-", "A-Za-z0-9-", 20, 200, check: IsSlackToken),
            SecretRule.Prefix("slack_user_token", "xoxp-", "A-Za-z0-9-", 20, 200, check: IsSlackToken),
            SecretRule.Prefix("slack_config_token", "xoxe.xoxb-", "A-Za-z0-9-", 100, 200),
            SecretRule.Prefix("slack_config_token", "xoxe.xoxp-", "A-Za-z0-9-", 100, 200),
            SecretRule.Prefix("slack_user_token", "xoxe-", "A-Za-z0-9-", 20, 200, check: IsSlackToken),
            SecretRule.Prefix("slack_legacy_token", "xoxs-", "A-Za-z0-9-", 20, 200, check: IsSlackToken),
            SecretRule.Prefix("slack_legacy_token", "xoxo-", "A-Za-z0-9-", 20, 200, check: IsSlackToken),
            SecretRule.Prefix("slack_legacy_token", "xoxa-", "A-Za-z0-9-", 10, 200),
            SecretRule.Prefix("slack_legacy_token", "xoxr-", "A-Za-z0-9-", 10, 200),
            SecretRule.Prefix("slack_app_token", "xapp-", "A-Za-z0-9-", 20, 200),
            SecretRule.Custom("slack_webhook", "hooks.slack.com/", true, ReadSlackWebhook, SecretRuleScope.TokenStart),
            SecretRule.Custom("discord_webhook", "discord.com/api/webhooks/", true, ReadUrlWithPath, SecretRuleScope.TokenStart),
            SecretRule.Custom("discord_webhook", "discordapp.com/api/webhooks/", true, ReadUrlWithPath, SecretRuleScope.TokenStart),
            SecretRule.Custom("teams_webhook", "webhook.office.com/webhookb2/", true, ReadUrlWithPath, SecretRuleScope.TokenStart),
            SecretRule.Keyword("discord_bot_token", "discord", "A-Za-z0-9_.-", 59, 72, check: v => v.Count('.') == 2),
            SecretRule.Custom("telegram_bot_token", ":AA", false, ReadTelegramToken, SecretRuleScope.Anywhere),
            SecretRule.Prefix("sendgrid", "SG.", "A-Za-z0-9_.=-", 66, 70, check: v => v.Count('.') == 2),
            SecretRule.Prefix("sendinblue_token", "xkeysib-", "a-zA-Z0-9-", 81, 81),
            SecretRule.Keyword("mailgun_key", "mailgun", "a-z0-9-", 36, 50, check: v => v.StartsWith("key-", StringComparison.Ordinal) || v.Length > 40),
            SecretRule.Keyword("mailchimp_api_key", "mailchimp", "a-f0-9us-", 35, 37, check: v => v.Contains("-us", StringComparison.Ordinal)),
            SecretRule.Prefix("twilio_api_key", "SK", Hex, 32, 32, minEntropy: 3),
            SecretRule.Prefix("messagebird_key", "live_", AlphaNum, 25, 25, minEntropy: 3.5),
            SecretRule.Prefix("notion_token", "ntn_", AlphaNum, 46, 46),
            SecretRule.Keyword("notion_token", "notion", Word, 50, 50, check: v => v.StartsWith("secret_", StringComparison.Ordinal)),
            SecretRule.Prefix("facebook_page_token", "EAAM", AlphaNum, 100, 1000),
            SecretRule.Prefix("facebook_page_token", "EAAC", AlphaNum, 100, 1000),
            SecretRule.Custom("facebook_access_token", "acebook", false, ReadFacebookToken, SecretRuleScope.Anywhere),
            SecretRule.Custom("twitter_bearer_token", "AAAAAAAAAAAAAAAAAAAAA", false, ReadTwitterBearer, SecretRuleScope.TokenStart),
            SecretRule.Keyword("twitter_secret", "twitter", AlphaNum, 45, 50, minEntropy: 3.5),
            SecretRule.Keyword("linkedin_secret", "linkedin", AlphaNum, 16, 16, minEntropy: 3),
            SecretRule.Keyword("twitch_token", "twitch", LowerAlphaNum, 30, 30, minEntropy: 3),
            SecretRule.Keyword("zendesk_secret", "zendesk", AlphaNum, 40, 40, minEntropy: 3.5),
            SecretRule.Keyword("intercom_token", "intercom", "A-Za-z0-9_=-", 60, 60),
            SecretRule.Keyword("atlassian_api_token", "jira", AlphaNum, 24, 24, minEntropy: 3.5),
            SecretRule.Keyword("atlassian_api_token", "confluence", AlphaNum, 24, 24, minEntropy: 3.5),

            // --- Payments, commerce, SaaS ---------------------------------------------------------------------------
            SecretRule.Prefix("stripe_secret", "sk_live_", AlphaNum, 10, 250),
            SecretRule.Prefix("stripe_secret", "sk_test_", AlphaNum, 10, 250),
            SecretRule.Prefix("stripe_secret", "sk_prod_", AlphaNum, 10, 250),
            SecretRule.Prefix("stripe_restricted_key", "rk_live_", AlphaNum, 10, 250),
            SecretRule.Prefix("stripe_restricted_key", "rk_test_", AlphaNum, 10, 250),
            SecretRule.Prefix("stripe_restricted_key", "rk_prod_", AlphaNum, 10, 250),
            SecretRule.Prefix("stripe_webhook_secret", "whsec_", AlphaNum, 32, 80),
            SecretRule.Prefix("square_access_token", "sq0atp-", UrlSafe, 22, 60),
            SecretRule.Prefix("square_oauth_secret", "sq0csp-", UrlSafe, 43, 43),
            SecretRule.Prefix("square_access_token", "EAAA", UrlSafe, 60, 60),
            SecretRule.Prefix("shopify_access_token", "shpat_", Hex, 32, 32),
            SecretRule.Prefix("shopify_custom_app_token", "shpca_", Hex, 32, 32),
            SecretRule.Prefix("shopify_private_app_token", "shppa_", Hex, 32, 32),
            SecretRule.Prefix("shopify_shared_secret", "shpss_", Hex, 32, 32),
            SecretRule.Prefix("shippo_token", "shippo_live_", Hex, 40, 40),
            SecretRule.Prefix("shippo_token", "shippo_test_", Hex, 40, 40),
            SecretRule.Prefix("easypost_token", "EZAK", AlphaNum, 54, 54),
            SecretRule.Prefix("easypost_test_token", "EZTK", AlphaNum, 54, 54),
            SecretRule.Prefix("duffel_token", "duffel_live_", "A-Za-z0-9_=-", 43, 43),
            SecretRule.Prefix("duffel_token", "duffel_test_", "A-Za-z0-9_=-", 43, 43),
            SecretRule.Prefix("flutterwave_secret_key", "FLWSECK_TEST-", "a-hA-H0-9X-", 12, 40),
            SecretRule.Prefix("flutterwave_secret_key", "FLWSECK-", "a-hA-H0-9X-", 32, 40),
            SecretRule.Prefix("adobe_client_secret", "p8e-", AlphaNum, 32, 32),
            SecretRule.Prefix("typeform_token", "tfp_", "A-Za-z0-9_=.-", 59, 59),
            SecretRule.Custom("maxmind_license_key", "_mmk", false, ReadMaxMindKey, SecretRuleScope.InToken),
            SecretRule.Prefix("new_relic_user_key", "NRAK-", "A-Z0-9", 27, 27),
            SecretRule.Prefix("new_relic_insert_key", "NRII-", "A-Za-z0-9-", 32, 32),
            SecretRule.Prefix("new_relic_browser_key", "NRJS-", LowerHex, 19, 19),
            SecretRule.Keyword("datadog_api_key", "dd_api_key", LowerHex, 32, 32),
            SecretRule.Keyword("datadog_app_key", "dd_app_key", LowerHex, 40, 40),
            SecretRule.Keyword("datadog_api_key", "datadog", LowerAlphaNum, 32, 40, minEntropy: 3),
            SecretRule.Prefix("grafana_api_key", "eyJrIjoi", Base64, 70, 400),
            SecretRule.Prefix("grafana_cloud_token", "glc_", Base64, 32, 400),
            SecretRule.Prefix("grafana_service_account_token", "glsa_", "A-Za-z0-9_", 41, 41),
            SecretRule.Prefix("sentry_org_token", "sntrys_eyJ", "A-Za-z0-9+/=_", 60, 500),
            SecretRule.Prefix("sentry_user_token", "sntryu_", LowerHex, 64, 64),
            SecretRule.Keyword("sentry_token", "sentry", LowerHex, 64, 64),
            SecretRule.Keyword("sumologic_access_id", "sumo", AlphaNum, 14, 14, check: v => v.StartsWith("su", StringComparison.Ordinal), minEntropy: 2.5),
            SecretRule.Keyword("sumologic_access_key", "sumo", AlphaNum, 64, 64, minEntropy: 3.5),
            SecretRule.Keyword("okta_token", "okta", "A-Za-z0-9_=-", 42, 42, check: v => v.StartsWith("00", StringComparison.Ordinal)),
            SecretRule.Keyword("algolia_api_key", "algolia", LowerAlphaNum, 32, 32),
            SecretRule.Keyword("airtable_api_key", "airtable", AlphaNum, 17, 17),
            SecretRule.Prefix("airtable_pat", "pat", "A-Za-z0-9.", 79, 79, check: v => v.Length == 82 && v[17] == '.'),
            SecretRule.Keyword("asana_token", "asana", "A-Za-z0-9/:", 32, 60, minEntropy: 3),
            SecretRule.Keyword("contentful_token", "contentful", "A-Za-z0-9_=-", 43, 43),
            SecretRule.Keyword("dropbox_token", "dropbox", "A-Za-z0-9_.=-", 64, 200, check: v => v.StartsWith("sl.", StringComparison.Ordinal) || v.Contains("AAAAAAAAAA", StringComparison.Ordinal)),
            SecretRule.Keyword("mapbox_token", "mapbox", "A-Za-z0-9.", 80, 120, check: v => v.StartsWith("sk.", StringComparison.Ordinal)),
            SecretRule.Prefix("mapbox_secret_token", "sk.eyJ", "A-Za-z0-9._-", 60, 200),
            SecretRule.Keyword("plaid_secret", "plaid", LowerAlphaNum, 30, 30, minEntropy: 3.5),
            SecretRule.Keyword("finicity_secret", "finicity", LowerAlphaNum, 20, 32, minEntropy: 3),
            SecretRule.Keyword("coinbase_token", "coinbase", UrlSafe, 64, 64),
            SecretRule.Keyword("kraken_token", "kraken", "A-Za-z0-9/=_+-", 80, 90),
            SecretRule.Keyword("kucoin_secret", "kucoin", "A-Fa-f0-9-", 24, 36),
            SecretRule.Keyword("bittrex_key", "bittrex", LowerAlphaNum, 32, 32),
            SecretRule.Keyword("launchdarkly_token", "launchdarkly", "A-Za-z0-9_=-", 40, 40),
            SecretRule.Keyword("netlify_token", "netlify", "A-Za-z0-9_=-", 40, 46),
            SecretRule.Keyword("fastly_token", "fastly", "A-Za-z0-9_=-", 32, 32),
            SecretRule.Keyword("gitter_token", "gitter", UrlSafe, 40, 40),
            SecretRule.Keyword("rapidapi_key", "rapidapi", UrlSafe, 50, 50),
            SecretRule.Keyword("squarespace_key", "squarespace", "A-Fa-f0-9-", 36, 36, check: IsUuid),
            SecretRule.Keyword("hubspot_key", "hubspot", "A-Fa-f0-9-", 36, 36, check: IsUuid),
            SecretRule.Keyword("sendbird_token", "sendbird", Hex, 40, 40),
            SecretRule.Keyword("yandex_api_key", "yandex", UrlSafe, 39, 42, check: v => v.StartsWith("AQVN", StringComparison.Ordinal)),
            SecretRule.Keyword("sidekiq_secret", "contribsys__com", "a-f0-9:", 17, 17, check: v => v[8] == ':'),

            // --- Keys, tokens and credentials of any service --------------------------------------------------------
            SecretRule.Custom("private_key", "-----BEGIN", false, ReadPrivateKey, SecretRuleScope.Anywhere),
            SecretRule.Custom("putty_private_key", "PuTTY-User-Key-File-", false, ReadPuttyKey, SecretRuleScope.TokenStart),
            SecretRule.Custom("jwt", "eyJ", false, ReadJwt, SecretRuleScope.TokenStart),
            SecretRule.Custom("password", "://", false, ReadUrlPassword, SecretRuleScope.Anywhere),
            SecretRule.Custom("curl_auth_user", "curl", false, ReadCurlUser, SecretRuleScope.Anywhere),
            SecretRule.Custom("authorization_header", "authorization", true, ReadAuthorizationHeader, SecretRuleScope.KeyName),
            SecretRule.Custom("api_key_header", "x-api-key", true, ReadHeaderValue, SecretRuleScope.KeyName),
            SecretRule.Custom("api_key_header", "private-token", true, ReadHeaderValue, SecretRuleScope.KeyName),
            SecretRule.Custom("api_key_header", "x-auth-token", true, ReadHeaderValue, SecretRuleScope.KeyName),
            SecretRule.Custom("nuget_config_password", "<add key=", false, ReadXmlValue, SecretRuleScope.Anywhere),
        };

        // Passwords and secrets assigned to key-like names: `password = "…"`, `Pwd=…;`, `"client_secret": "…"`.
        foreach (string keyword in PasswordKeywords)
        {
            rules.Add(SecretRule.Custom("password", keyword, true, ReadPassword, SecretRuleScope.KeyName));
        }

        foreach (string keyword in SecretKeywords)
        {
            rules.Add(SecretRule.Custom("generic_secret", keyword, true, ReadGenericSecret, SecretRuleScope.KeyName));
        }

        return rules.ToArray();
    }

    private static string[] PasswordKeywords =>
    [
        "password", "passwd", "pwd", "passphrase", "contrasena", "passwort", "motdepasse", "mot_de_passe",
    ];

    private static string[] SecretKeywords =>
    [
        "secret", "token", "api_key", "apikey", "api-key", "access_key", "accesskey", "auth_key", "authkey", "client_key",
        "private_key", "privatekey", "credential", "creds", "auth", "bearer", "session_key", "signing_key", "encryption_key",
        "master_key", "app_key", "service_key", "account_key", "db_key", "key",
    ];

    private static bool IsUuid(string v) => Guid.TryParseExact(v, "D", out _);

    /// <summary>Slack tokens: <c>xox?-</c>, numeric workspace/user ids of 8+ digits, then a random part of 10+ characters.</summary>
    private static bool IsSlackToken(string v)
    {
        string[] parts = v.Split('-');
        if (parts.Length < 3 || parts[^1].Length < 10 || parts[^1].AsSpan().IndexOfAnyExcept('-') < 0)
        {
            return false;
        }

        int numeric = 0;
        for (int i = 1; i < parts.Length - 1; i++)
        {
            if (parts[i].Length >= 8 && parts[i].AsSpan().IndexOfAnyExcept(DetectorText.Digits) < 0)
            {
                numeric++;
            }
            else if (parts[i].Length > 1)
            {
                return false;
            }
        }

        return numeric >= 1 || (parts.Length == 3 && parts[1].Length == 1 && parts[2].Length >= 100);
    }

    private static bool IsSourcegraphToken(string v)
    {
        ReadOnlySpan<char> body = v.AsSpan(4);
        if (body.StartsWith("local_", StringComparison.Ordinal))
        {
            body = body[6..];
        }
        else if (body.Length == 57 && body[16] == '_')
        {
            body = body[17..];
        }

        return body.Length == 40 && body.IndexOfAnyExcept(s_hex) < 0;
    }

    private static readonly SearchValues<char> s_hex = SecretRule.Chars(Hex);

    private static bool IsWordAt(string text, int index) => index >= 0 && index < text.Length && DetectorText.IsWordChar(text[index]);

    private static int RunLength(string text, int start, SearchValues<char> chars)
    {
        if (start >= text.Length)
        {
            return 0;
        }

        int n = text.AsSpan(start).IndexOfAnyExcept(chars);
        return n < 0 ? text.Length - start : n;
    }

    private static readonly SearchValues<char> s_alphaNum = SecretRule.Chars(AlphaNum);
    private static readonly SearchValues<char> s_lowerWords = SecretRule.Chars("a-z_.-");
    private static readonly SearchValues<char> s_urlSafe = SecretRule.Chars(UrlSafe);
    private static readonly SearchValues<char> s_jwtChars = SecretRule.Chars("A-Za-z0-9_-");
    private static readonly SearchValues<char> s_jwtSignature = SecretRule.Chars("A-Za-z0-9_+/=-");
    private static readonly SearchValues<char> s_upperDigits = SecretRule.Chars("A-Z0-9");
    private static readonly SearchValues<char> s_azureSecret = SecretRule.Chars("A-Za-z0-9_~.-");
    private static readonly SearchValues<char> s_urlPath = SecretRule.Chars("A-Za-z0-9_./+=%-");
    private static readonly SearchValues<char> s_base64 = SecretRule.Chars(Base64);

    /// <summary><c>sk-</c> keys not covered by a longer prefix: OpenAI's legacy and project keys (with the <c>T3BlbkFJ</c> marker) and other 40–64 character keys.</summary>
    private static (int, int) ReadSkKey(string text, int at)
    {
        if (IsWordAt(text, at - 1))
        {
            return (-1, 0);
        }

        int n = RunLength(text, at + 3, s_urlSafe);
        ReadOnlySpan<char> body = text.AsSpan(at + 3, n);
        if (n >= 20 && body.Contains("T3BlbkFJ", StringComparison.Ordinal))
        {
            return (at, n + 3);
        }

        return n is >= 32 and <= 100 && body.IndexOfAnyExcept(s_alphaNum) < 0 && body.ContainsAnyInRange('0', '9') && DetectorText.Entropy(body) >= 3.8 ? (at, n + 3) : (-1, 0);
    }

    /// <summary>AWS access key ids: a four-letter kind prefix and 16 upper-case letters and digits.</summary>
    private static (int, int) ReadAwsKeyId(string text, int at)
    {
        if (IsWordAt(text, at - 1))
        {
            return (-1, 0);
        }

        int n = RunLength(text, at, s_upperDigits);
        return n == 20 && !IsWordAt(text, at + n) && DetectorText.Entropy(text.AsSpan(at + 4, 16)) >= 3 ? (at, 20) : (-1, 0);
    }

    /// <summary>Azure AD client secrets: three characters, a digit, <c>Q~</c>, then 31–34 characters.</summary>
    private static (int, int) ReadAzureAdSecret(string text, int at)
    {
        int start = at - 4;
        if (start < 0 || !char.IsAsciiDigit(text[at - 1]) || IsWordAt(text, start - 1))
        {
            return (-1, 0);
        }

        for (int i = start; i < at - 1; i++)
        {
            if (!(char.IsAsciiLetterOrDigit(text[i]) || text[i] is '_' or '~' or '.'))
            {
                return (-1, 0);
            }
        }

        int n = RunLength(text, at + 2, s_azureSecret);
        return n is >= 31 and <= 34 ? (start, n + 6) : (-1, 0);
    }

    private static (int, int) ReadTerraformToken(string text, int at)
    {
        int start = at - 14;
        if (start < 0 || IsWordAt(text, start - 1) || RunLength(text, start, s_alphaNum) != 14)
        {
            return (-1, 0);
        }

        int n = RunLength(text, at + 9, s_terraformChars);
        return n is >= 60 and <= 70 ? (start, 14 + 9 + n) : (-1, 0);
    }

    private static (int, int) ReadOnePasswordKey(string text, int at)
    {
        Match m = OnePasswordPattern().Match(text, at);
        return m.Success && m.Index == at && !IsWordAt(text, at - 1) ? (at, m.Length) : (-1, 0);
    }

    private static (int, int) ReadMaxMindKey(string text, int at)
    {
        int start = at - 36;
        return start >= 0 && !IsWordAt(text, start - 1) && text[start + 6] == '_' && RunLength(text, start, s_alphaNum) == 6
            && RunLength(text, start + 7, s_alphaNum) == 29 && !IsWordAt(text, at + 4) ? (start, 40) : (-1, 0);
    }

    private static (int, int) ReadSlackWebhook(string text, int at)
    {
        int start = at;
        if (at >= 8 && text.AsSpan(at - 8, 8).Equals("https://", StringComparison.OrdinalIgnoreCase))
        {
            start = at - 8;
        }
        else if (at >= 7 && text.AsSpan(at - 7, 7).Equals("http://", StringComparison.OrdinalIgnoreCase))
        {
            start = at - 7;
        }

        int pathStart = at + "hooks.slack.com/".Length;
        ReadOnlySpan<char> rest = text.AsSpan(pathStart);
        if (!(rest.StartsWith("services/", StringComparison.Ordinal) || rest.StartsWith("workflows/", StringComparison.Ordinal) || rest.StartsWith("triggers/", StringComparison.Ordinal)))
        {
            return (-1, 0);
        }

        int n = RunLength(text, pathStart, s_urlPath);
        return n >= 30 ? (start, pathStart + n - start) : (-1, 0);
    }

    private static (int, int) ReadUrlWithPath(string text, int at)
    {
        int start = at;
        int scheme = text.LastIndexOf("://", at, Math.Min(at + 1, 12), StringComparison.Ordinal);
        if (scheme >= 0)
        {
            start = scheme;
            while (start > 0 && char.IsAsciiLetter(text[start - 1]))
            {
                start--;
            }
        }

        int slash = text.IndexOf('/', at);
        int n = RunLength(text, slash, s_urlWithPathChars);
        return n >= 30 ? (start, slash + n - start) : (-1, 0);
    }

    private static (int, int) ReadTelegramToken(string text, int at)
    {
        int start = at;
        while (start > 0 && char.IsAsciiDigit(text[start - 1]))
        {
            start--;
        }

        // The bot id stands alone or after "/bot" in an API path (https://api.telegram.org/bot<token>/getMe).
        int digits = at - start;
        bool alone = !IsWordAt(text, start - 1)
            || (start >= 4 && text.AsSpan(start - 4, 4).SequenceEqual("/bot"));
        int n = RunLength(text, at + 3, s_urlSafe);
        return digits is >= 8 and <= 10 && alone && n == 33 ? (start, digits + 3 + n) : (-1, 0);
    }

    private static (int, int) ReadFacebookToken(string text, int at)
    {
        int end = Math.Min(text.Length, at + 80);
        Match m = FacebookTokenPattern().Match(text, at, end - at);
        return m.Success ? (m.Index, m.Length) : (-1, 0);
    }

    private static (int, int) ReadTwitterBearer(string text, int at)
    {
        if (IsWordAt(text, at - 1))
        {
            return (-1, 0);
        }

        int n = RunLength(text, at, s_alphaNumPercent);
        return n is >= 100 and <= 125 ? (at, n) : (-1, 0);
    }

    /// <summary>PEM and PGP private key blocks, from <c>-----BEGIN … PRIVATE KEY-----</c> to the matching END line (or the end of the base64 body).</summary>
    private static (int, int) ReadPrivateKey(string text, int at)
    {
        int headerEnd = text.IndexOf("-----", at + 10, Math.Min(120, text.Length - at - 10), StringComparison.Ordinal);
        if (headerEnd < 0)
        {
            return (-1, 0);
        }

        ReadOnlySpan<char> label = text.AsSpan(at + 10, headerEnd - at - 10);
        if (!label.Contains("PRIVATE KEY", StringComparison.Ordinal))
        {
            return (-1, 0);
        }

        int bodyStart = headerEnd + 5;
        int endMarker = text.IndexOf("-----END", bodyStart, StringComparison.Ordinal);
        if (endMarker >= 0)
        {
            int close = text.IndexOf("-----", endMarker + 8, StringComparison.Ordinal);
            int end = close >= 0 ? close + 5 : endMarker + 8;
            return (at, end - at);
        }

        // Truncated key: the base64 lines that follow.
        int i = bodyStart;
        while (i < text.Length && (s_base64.Contains(text[i]) || text[i] is '\r' or '\n' or ' ' or ':' or '-' or ','))
        {
            i++;
        }

        return i - bodyStart >= 20 ? (at, i - at) : (-1, 0);
    }

    private static (int, int) ReadPuttyKey(string text, int at)
    {
        int end = text.IndexOf("Private-MAC:", at, StringComparison.Ordinal);
        if (end < 0)
        {
            return (-1, 0);
        }

        int lineEnd = text.IndexOf('\n', end);
        return (at, (lineEnd < 0 ? text.Length : lineEnd) - at);
    }

    /// <summary>JSON Web Tokens: base64url header starting <c>eyJ</c>, a payload starting <c>ey</c>, an optional signature.</summary>
    private static (int, int) ReadJwt(string text, int at)
    {
        if (IsWordAt(text, at - 1) && !(at >= 1 && text[at - 1] == '_'))
        {
            return (-1, 0);
        }

        int header = RunLength(text, at, s_jwtChars);
        int dot1 = at + header;
        if (header < 10 || dot1 >= text.Length || text[dot1] != '.')
        {
            return (-1, 0);
        }

        int payload = RunLength(text, dot1 + 1, s_jwtChars);
        if (payload < 4 || text[dot1 + 1] != 'e' || text[dot1 + 2] != 'y')
        {
            return (-1, 0);
        }

        int end = dot1 + 1 + payload;
        if (end < text.Length && text[end] == '.')
        {
            end += 1 + RunLength(text, end + 1, s_jwtSignature);
        }
        else
        {
            return (-1, 0);
        }

        return (at, end - at);
    }

    /// <summary>The password in <c>scheme://user:password@host</c>.</summary>
    private static (int, int) ReadUrlPassword(string text, int at)
    {
        int userStart = at + 3;
        int i = userStart;
        while (i < text.Length && i - userStart < 256 && text[i] is not ('/' or '@' or ':' or ' ' or '\n' or '\t' or '"' or '\''))
        {
            i++;
        }

        if (i >= text.Length || text[i] != ':' || i == userStart)
        {
            return (-1, 0);
        }

        int passStart = i + 1;
        int at2 = -1;
        for (int k = passStart; k < text.Length && k - passStart < 256; k++)
        {
            char c = text[k];
            if (c is ' ' or '\n' or '\t' or '"' or '\'' or '/' or '<' or '>')
            {
                break;
            }

            if (c == '@')
            {
                at2 = k; // the last '@' before the host wins (passwords may contain '@')
            }
        }

        if (at2 <= passStart)
        {
            return (-1, 0);
        }

        ReadOnlySpan<char> password = text.AsSpan(passStart, at2 - passStart);
        return IsPlaceholder(text, passStart, at2 - passStart) || IsWeakExample(password) ? (-1, 0) : (passStart, at2 - passStart);
    }

    private static bool IsWeakExample(ReadOnlySpan<char> value) =>
        value.Equals("password", StringComparison.OrdinalIgnoreCase) || value.Equals("pass", StringComparison.OrdinalIgnoreCase)
        || value.Equals("secret", StringComparison.OrdinalIgnoreCase) || value.Equals("pwd", StringComparison.OrdinalIgnoreCase)
        || value.Equals("passwd", StringComparison.OrdinalIgnoreCase) || value.Equals("token", StringComparison.OrdinalIgnoreCase);

    /// <summary><c>curl … -u user:pass</c> / <c>--user "user:pass"</c>.</summary>
    private static (int, int) ReadCurlUser(string text, int at)
    {
        if (IsWordAt(text, at - 1) || IsWordAt(text, at + 4))
        {
            return (-1, 0);
        }

        int end = Math.Min(text.Length, at + 600);
        Match m = CurlUserPattern().Match(text, at, end - at);
        if (!m.Success)
        {
            return (-1, 0);
        }

        Group value = m.Groups["v"];
        ReadOnlySpan<char> span = text.AsSpan(value.Index, value.Length);
        ReadOnlySpan<char> bare = span.Trim("\"'{}$:");
        return span.Contains(':') && bare.Length >= 6 && !IsPlaceholder(bare) ? (value.Index, value.Length) : (-1, 0);
    }

    /// <summary>The credential of an <c>Authorization</c> header (any scheme).</summary>
    private static (int, int) ReadAuthorizationHeader(string text, int at)
    {
        int i = at + "authorization".Length;
        while (i < text.Length && text[i] is '"' or '\'' or ' ' or '\t')
        {
            i++;
        }

        if (i >= text.Length || text[i] is not (':' or '='))
        {
            return (-1, 0);
        }

        i++;
        while (i < text.Length && text[i] is ' ' or '\t' or '"' or '\'')
        {
            i++;
        }

        int schemeEnd = RunLength(text, i, s_schemeChars);
        ReadOnlySpan<char> scheme = text.AsSpan(i, schemeEnd);
        if (schemeEnd > 0 && schemeEnd + i < text.Length && text[i + schemeEnd] == ' '
            && (scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase) || scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase)
                || scheme.Equals("Token", StringComparison.OrdinalIgnoreCase) || scheme.Equals("Api-Token", StringComparison.OrdinalIgnoreCase)
                || scheme.Equals("ApiKey", StringComparison.OrdinalIgnoreCase) || scheme.Equals("Digest", StringComparison.OrdinalIgnoreCase)
                || scheme.Equals("SSWS", StringComparison.OrdinalIgnoreCase) || scheme.Equals("Key", StringComparison.OrdinalIgnoreCase)))
        {
            i += schemeEnd + 1;
            while (i < text.Length && text[i] == ' ')
            {
                i++;
            }
        }

        int n = RunLength(text, i, s_headerValueChars);
        ReadOnlySpan<char> value = text.AsSpan(i, n);
        return n >= 8 && !IsPlaceholder(text, i, n) && value.IndexOfAnyExcept(s_letters) >= 0 || n >= 16 && !IsPlaceholder(text, i, n) ? (i, n) : (-1, 0);
    }

    private static (int, int) ReadHeaderValue(string text, int at)
    {
        (int start, int length) = FindAssignedValue(text, at, s_headerValueChars);
        return length >= 8 && !IsPlaceholder(text, start, length) ? (start, length) : (-1, 0);
    }

    private static (int, int) ReadXmlValue(string text, int at)
    {
        int v = text.IndexOf("value=\"", at, Math.Min(80, text.Length - at), StringComparison.OrdinalIgnoreCase);
        if (v < 0 || !text.AsSpan(at, v - at).Contains("Password\"", StringComparison.OrdinalIgnoreCase))
        {
            return (-1, 0);
        }

        int start = v + 7;
        int end = text.IndexOf('"', start);
        return end - start >= 4 && !IsPlaceholder(text.AsSpan(start, end - start)) ? (start, end - start) : (-1, 0);
    }

    /// <summary><c>password = "…"</c>, <c>Password=…;</c>, <c>"pwd": "…"</c>: any non-placeholder value of six or more characters.</summary>
    private static (int, int) ReadPassword(string text, int at)
    {
        (int start, int length) = FindKeyValue(text, at, s_valueChars);
        if (length < 6 || length > 128)
        {
            return (-1, 0);
        }

        ReadOnlySpan<char> value = text.AsSpan(start, length);
        if (InUrlQuery(text, at) || IsPlaceholder(text, start, length) || IsWeakExample(value) || LooksLikeCode(text, start, length) || value.IndexOfAnyExcept(s_lowerWords) < 0)
        {
            return (-1, 0);
        }

        return (start, length);
    }

    /// <summary>A value assigned to a key-like name (<c>secret</c>, <c>token</c>, <c>api_key</c>, …) that looks random: 12+ characters, letters and digits, high entropy.</summary>
    private static (int, int) ReadGenericSecret(string text, int at)
    {
        if (InUrlQuery(text, at) || PublicKeyName(text, at) || NonSecretKeyName(text, at))
        {
            return (-1, 0);
        }

        (int start, int length) = FindKeyValue(text, at, s_valueChars);
        if (length < 12 || length > 512)
        {
            return (-1, 0);
        }

        ReadOnlySpan<char> value = text.AsSpan(start, length);
        if (length == 36 && IsUuid(value.ToString()) && IsApiKeyName(text.AsSpan(at, Math.Min(8, text.Length - at))))
        {
            return (start, length); // apikey: 5eb4223e-5008-46e5-be67-c7b8f2732305
        }

        // Cheapest tests first (the order does not change the answer).
        if (value.Contains('.') || value.Count('-') + value.Count('_') >= 2 || value.Contains("0123456", StringComparison.Ordinal)
            || value.Contains("abcdefgh", StringComparison.OrdinalIgnoreCase) || LooksLikeCode(text, start, length) || IsPlaceholder(text, start, length))
        {
            return (-1, 0);
        }

        bool letters = value.ContainsAnyInRange('a', 'z') || value.ContainsAnyInRange('A', 'Z');
        bool digits = value.ContainsAnyInRange('0', '9');
        double entropy = DetectorText.Entropy(value);
        bool hex = value.IndexOfAnyExcept(s_hex) < 0;
        bool random = letters && digits && (hex ? length >= 16 && entropy >= 2.8 : length >= 16 ? entropy >= 3.3 : entropy >= 3.2);
        return random ? (start, length) : (-1, 0);
    }

    /// <summary>Key names that hold metadata about a secret rather than the secret (<c>key_vault_name</c>, <c>credentialsId</c>, <c>keyFile</c>).</summary>
    private static bool NonSecretKeyName(string text, int at)
    {
        int end = at;
        while (end < text.Length && end - at < 40 && (DetectorText.IsWordChar(text[end]) || text[end] is '.' or '-'))
        {
            end++;
        }

        ReadOnlySpan<char> name = text.AsSpan(at, end - at);
        if (name.Length == 0)
        {
            return false;
        }

        char last = name[^1];
        foreach (string suffix in s_nonSecretSuffixes)
        {
            // The suffixes are lower-case ASCII: an ASCII last character must match one of them case-insensitively (cheap test first).
            if (last < 128 && (last | 0x20) != suffix[^1])
            {
                continue;
            }

            if (name.Length > suffix.Length && name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
                && (name.EndsWith(suffix, StringComparison.Ordinal) ? !char.IsAsciiLetterLower(name[^(suffix.Length + 1)]) : char.IsAsciiLetterUpper(name[^suffix.Length])))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsApiKeyName(ReadOnlySpan<char> name) =>
        name.StartsWith("apikey", StringComparison.OrdinalIgnoreCase) || name.StartsWith("api_key", StringComparison.OrdinalIgnoreCase) || name.StartsWith("api-key", StringComparison.OrdinalIgnoreCase);

    /// <summary>Returns whether the key word at <paramref name="at"/> sits in the query string of a URL (<c>…?token=…</c>), where the URL is the entity.</summary>
    private static bool InUrlQuery(string text, int at)
    {
        int i = at - 1;
        bool query = false;
        while (i >= 0 && !char.IsWhiteSpace(text[i]) && at - i < 2048)
        {
            if (text[i] is '?' or '&')
            {
                query = true;
            }
            else if (query && text[i] == '/' && i > 0 && text[i - 1] == '/')
            {
                return true;
            }

            i--;
        }

        return false;
    }

    /// <summary>Returns whether the key name around <paramref name="at"/> says the value is public (<c>public_key</c>, <c>publicToken</c>).</summary>
    private static bool PublicKeyName(string text, int at)
    {
        int from = Math.Max(0, at - 8);
        return text.AsSpan(from, at - from).Contains("public", StringComparison.OrdinalIgnoreCase)
            || text.AsSpan(from, at - from).Contains("pub_", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Like <see cref="FindAssignedValue"/>, but the key word must start a key name (not sit inside a word such as "monkey").</summary>
    private static (int Start, int Length) FindKeyValue(string text, int at, SearchValues<char> body)
    {
        if (at > 0 && char.IsAsciiLetterLower(text[at - 1]) && char.IsAsciiLetterLower(text[at]))
        {
            return (-1, 0);
        }

        return FindAssignedValue(text, at, body);
    }

    /// <summary>Values that are code rather than literals: calls, member accesses, variables.</summary>
    private static bool LooksLikeCode(string text, int start, int length)
    {
        int end = start + length;
        if (end < text.Length && text[end] == '(')
        {
            return true;
        }

        ReadOnlySpan<char> value = text.AsSpan(start, length);
        bool quoted = start > 0 && text[start - 1] is '"' or '\'' or '`';
        if (!quoted && value.Contains('.') && value.IndexOfAnyExcept(s_memberAccessChars) < 0)
        {
            return true; // config.password, self.token
        }

        return value is "true" or "false" or "null" or "None" or "undefined" or "required" or "optional";
    }

    [GeneratedRegex(@"\GA3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}\b", RegexOptions.CultureInvariant)]
    private static partial Regex OnePasswordPattern();

    [GeneratedRegex(@"(?<![\w|])\d{15,16}[|%][0-9A-Za-z_-]{27,40}(?![\w-])", RegexOptions.CultureInvariant)]
    private static partial Regex FacebookTokenPattern();

    [GeneratedRegex(@"\Gcurl\b[^\n]*?(?:\\\r?\n[^\n]*?){0,5}?[ \t](?:-u|--user)(?:=|[ \t]{1,5})(?<v>(?:""[^""\n]{3,}""|'[^'\n]{3,}'|[^\s""':]+)(?::(?:""[^""\n]*""|'[^'\n]*'|[^\s""']+))?)", RegexOptions.CultureInvariant)]
    private static partial Regex CurlUserPattern();
}
