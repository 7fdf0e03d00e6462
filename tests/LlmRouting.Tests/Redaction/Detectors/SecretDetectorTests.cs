namespace LlmRouting.Tests.Redaction.Detectors;

[TestFixture]
public class SecretDetectorTests
{
    private static readonly IPiiDetector Secrets = PiiDetectors.Create(PiiEntityTypes.Secret);

    [Test]
    public void More_than_a_hundred_formats_are_recognised() =>
        Assert.That(PiiDetectors.SecretSubtypes, Has.Count.GreaterThanOrEqualTo(100).And.Unique);

    [TestCase("export OPENAI_API_KEY=sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAb7cDe0fGh3iJk6lMn9oPq2rSt5uVw8xYz", "sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAb7cDe0fGh3iJk6lMn9oPq2rSt5uVw8xYz", "openai")]
    [TestCase("key 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 here", "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", "openai")]
    [TestCase("My Anthropic key sk-ant-api03-yN8CvrjmPGSDBFsarv75OGl6a9o6j82SLluVxzKWBJwZ1VyK1ZkRMGXaR_HgH4jhzw4jXeFG4wrqQUXDlI1bzjSh4fIXxAA stopped", "sk-ant-api03-yN8CvrjmPGSDBFsarv75OGl6a9o6j82SLluVxzKWBJwZ1VyK1ZkRMGXaR_HgH4jhzw4jXeFG4wrqQUXDlI1bzjSh4fIXxAA", "anthropic")]
    [TestCase("docker run -e AWS_ACCESS_KEY_ID=AKIAWCP3B2ZHL437EO7D -e", "AKIAWCP3B2ZHL437EO7D", "aws_access_key_id")]
    [TestCase("Getting AccessDenied with key ASIAFESLFRMNVCGVVOBT when", "ASIAFESLFRMNVCGVVOBT", "aws_access_key_id")]
    [TestCase("aws_secret_access_key = 7toXjBNTGfjTB+hOqgMaAOyTbg+L5U7OBmXfGleE\nregion", "7toXjBNTGfjTB+hOqgMaAOyTbg+L5U7OBmXfGleE", "aws_secret_access_key")]
    [TestCase("GITHUB_TOKEN=ghp_nwWaLmdckkFkGVBu4Y9seSKmyy75F6Krcuxk in", "ghp_nwWaLmdckkFkGVBu4Y9seSKmyy75F6Krcuxk", "github_pat")]
    [TestCase("git clone https://gho_BFKi1jSBFEtOaU3lHhdg4PDmhfYe3ha0W9Gp@github.com/acme/repo.git", "gho_BFKi1jSBFEtOaU3lHhdg4PDmhfYe3ha0W9Gp", "github_oauth")]
    [TestCase("ghs_CfVwGWLDRhRMVuBHrc9jiDxkdMK2Uvq4y4P8", "ghs_CfVwGWLDRhRMVuBHrc9jiDxkdMK2Uvq4y4P8", "github_app_token")]
    [TestCase("token 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;", "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", "github_fine_grained")]
    [TestCase("curl --header \"PRIVATE-TOKEN: glpat-qApYEl9LsGT6PglwHgbs\" https://gitlab", "glpat-qApYEl9LsGT6PglwHgbs", "gitlab_pat")]
    [TestCase("WebClient(token=\"xoxb-812173602143-4111324127833-iwQSS0mmpV6hQLzb9jkQVsqR\")", "xoxb-812173602143-4111324127833-iwQSS0mmpV6hQLzb9jkQVsqR", "slack_bot_token")]
    [TestCase("Post to https://hooks.slack.com/services/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 with", "https://hooks.slack.com/services/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", "slack_webhook")]
    [TestCase("stripe.api_key = 'rk_live_ibuj19E6adLIDAOA40VwiQlS'", "rk_live_ibuj19E6adLIDAOA40VwiQlS", "stripe_restricted_key")]
    [TestCase("STRIPE_KEY=sk_live_pjcl5IQArk9TuZSFthB2XwE3", "sk_live_pjcl5IQArk9TuZSFthB2XwE3", "stripe_secret")]
    [TestCase("for key AIzaZo6lXQkM_Z0GeoclEDW34PAgbQrvzICx9PA", "AIzaZo6lXQkM_Z0GeoclEDW34PAgbQrvzICx9PA", "google_api_key")]
    [TestCase("AccountName=contosodata;AccountKey=DGvCAUjqeaZguH/ZHW2KtEkosMfAbzflRe5eQ8ClFwbVwOJQKELDD67oWRtmoTyIKYsw4gGTL8jib1pDaCXoRg==;EndpointSuffix=core.windows.net", "DGvCAUjqeaZguH/ZHW2KtEkosMfAbzflRe5eQ8ClFwbVwOJQKELDD67oWRtmoTyIKYsw4gGTL8jib1pDaCXoRg==", "azure_storage_key")]
    [TestCase("client_secret: .IQ8Q~79R7TOWOspFnWcEG-dYt4KXqFqxK16cxr", ".IQ8Q~79R7TOWOspFnWcEG-dYt4KXqFqxK16cxr", "azure_ad_client_secret")]
    [TestCase("huggingface-cli login --token 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 gives 401", "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", "huggingface")]
    [TestCase("SENDGRID_API_KEY='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'", "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", "sendgrid")]
    [TestCase("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", "jwt")]
    [TestCase("DATABASE_URL=postgres://app_user:P@ssw0rd61@45.200.223.216:5432/prod", "P@ssw0rd61", "password")]
    [TestCase("Server=tcp:db01,1433;User ID=svc;Password=Tr0ub4dor&894363;Encrypt=True;", "Tr0ub4dor&894363", "password")]
    [TestCase("curl -u kevin:pRf7vG2h1L8nQkW9 https://api.example.com", "kevin:pRf7vG2h1L8nQkW9", "curl_auth_user")]
    [TestCase("\"credentials\" : \"0afae57f3ccfd9d7f5767067bc48b30f719e271ba470488056e37ab35d4b6506\"", "0afae57f3ccfd9d7f5767067bc48b30f719e271ba470488056e37ab35d4b6506", "generic_secret")]
    [TestCase("SNYK_TOKEN := \"12345678-ABCD-ABCD-ABCD-1234567890AB\"", "12345678-ABCD-ABCD-ABCD-1234567890AB", "snyk_token")]
    [TestCase("build 2024-05-02-rc1-ab12cd34ef56 deployed; TFE_TOKEN Xk9mQ2pL7vR4tZ.atlasv1.aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hI6kL9nO2qR5tU8wX1zA4cD7fG0iJ3lM ok", "Xk9mQ2pL7vR4tZ.atlasv1.aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hI6kL9nO2qR5tU8wX1zA4cD7fG0iJ3lM", "terraform_cloud_token")]
    [TestCase("geoip 1234567890-abcdefgh license 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 set", "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", "maxmind_license_key")]
    [TestCase("commit 9f8e7d6c5b4a39281706 then .IQ8Q~79R7TOWOspFnWcEG-dYt4KXqFqxK16cxr is the secret", ".IQ8Q~79R7TOWOspFnWcEG-dYt4KXqFqxK16cxr", "azure_ad_client_secret")]
    [TestCase("TELEGRAM_BOT_TOKEN 8123456790:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1 here", "8123456790:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1", "telegram_bot_token")]
    [TestCase("curl https://api.telegram.org/bot8123456790:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1/getMe", "8123456790:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1", "telegram_bot_token")]
    public void Recognises_the_format_and_reports_its_subtype(string text, string secret, string subtype)
    {
        var found = Secrets.Find(text);
        Assert.That(found, Has.Count.EqualTo(1), string.Join(" | ", found));
        Assert.That(found[0], Is.EqualTo((PiiEntityTypes.Secret, secret, (string?)subtype)));
    }

    [Test]
    public void Private_keys_cover_the_whole_block_but_public_keys_are_ignored()
    {
        const string Key = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\nVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK\n-----END RSA PRIVATE KEY-----";
        var found = Secrets.Find("Is this key right?\n" + Key + "\nthanks");
        Assert.That(found, Is.EqualTo(new[] { (PiiEntityTypes.Secret, Key, (string?)"private_key") }));
        Assert.That(Secrets.Find("-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----"), Is.Empty);
    }

    [TestCase("password = \"********\" - how do I load this safely?")]
    [TestCase("token: ${{ secrets.GITHUB_TOKEN }}")]
    [TestCase("api_key: \"REPLACE_ME\"")]
    [TestCase("OPENAI_API_KEY=sk-... - how do I load this safely?")]
    [TestCase("password = get_password()")]
    [TestCase("postgres://user:password@localhost/db")]
    [TestCase("api_org_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX")]
    [TestCase("sk-ant-api03-abc123xyz-456def789ghij-klmnopqrstuvwx-3456yza789bcde-1234fghijklmnopby56aaaogaopaaaabc123xyzBB")] // must end in AA
    [TestCase("\"token3\": \"xoxp-1234-1234-1234-4ddbc191d40ee098cbaae6f3523ada2d\"")] // ids too short
    [TestCase("Here is my profile: http://wingtip.nl/reset-password?token=wHdwiHgLVLC5nbj04cuP3vZD")]
    [TestCase("\"key_vault_name\": \"web21prqodx24021\"")]
    [TestCase("const keyStr = \"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789\"")]
    [TestCase("The monkey = 5 and the secret ingredient is love.")]
    [TestCase("bot110201543:AAHdqTcvCH1vGWJxfSe1ofSAs0K5PALDsaw")] // a bot id glued to a word is not a token (outside an API path)
    [TestCase("Decode this: SGVsbG8sIFdvcmxkIQ==")]
    public void Placeholders_and_look_alikes_are_not_secrets(string text) =>
        Assert.That(Secrets.Find(text), Is.Empty);

    [Test]
    public void A_token_inside_a_url_is_reported_as_the_secret_not_the_url()
    {
        var found = PiiDetectors.Default.Find("git clone https://ghp_3cMztT9jraGoJhHoXkORx5e7agBGMeKVYW4K@github.com/acme/private-repo.git fails");
        Assert.That(found, Is.EqualTo(new[] { (PiiEntityTypes.Secret, "ghp_3cMztT9jraGoJhHoXkORx5e7agBGMeKVYW4K", (string?)"github_pat") }));
    }
}
