using System.Text;
using System.Text.RegularExpressions;

namespace LlmRouting.Tests.Redaction.Detectors;

/// <summary>
/// Detectors rewritten for speed must find exactly what they found before: each is compared with its previous version (or
/// with the regular expressions it now runs less often) on curated texts and on many random texts built to hit the edges.
/// </summary>
[TestFixture]
public class DetectorRewriteTests
{
    private static readonly string[] s_wallets =
    [
        "1BoatSLRHtKNngkdXEeobR76b53LETtpyT", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
        "BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ", "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
        "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", "0x52908400098527886E0F7030069857D2E4169EE7", "15KzfrUH7W2xJjsLgh3Y1MLvD3v9kA7ed8",
        "3BADCZP3ECs2Qh9UdLeDQJzxBAu22HsgJ7", "0x092ae84c585bc7fa0c58e3985bcaf33562e7a107",
    ];

    [Test]
    public void The_wallet_scan_finds_what_the_two_trigger_scans_found()
    {
        string[] texts =
        [
            "", "1", "to 1BoatSLRHtKNngkdXEeobR76b53LETtpyT now", "x1BoatSLRHtKNngkdXEeobR76b53LETtpyT", "_3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
            "/bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq-", "\u00E9bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
            "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq\u00E9", "Bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "tB1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx",
            "0x52908400098527886E0F7030069857D2E4169EE7 and 1BoatSLRHtKNngkdXEeobR76b53LETtpyT and bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
            "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq 0x52908400098527886E0F7030069857D2E4169EE7", "\u0663bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
            "0X52908400098527886E0F7030069857D2E4169EE7", "00x52908400098527886E0F7030069857D2E4169EE7", "1BoatSLRHtKNngkdXEeobR76b53LETtpyT_",
        ];
        var random = new Random(20261124);
        IEnumerable<string> all = texts.Concat(Enumerable.Range(0, 30_000).Select(_ => RandomWalletText(random)));
        Assert.That(RewriteComparison.Compare(new ReferenceCryptoWalletDetector(), new CryptoWalletDetector(), all), Is.GreaterThan(3_000),
            "the random texts must exercise the matching side too");
    }

    [Test]
    public void The_passport_scanner_finds_what_the_passport_pattern_finds()
    {
        string[] windows =
        [
            "", "912803457", "passport 912803457.", "X79237027", "x912803457", "9128034570", "-912803457", "912803457-", "_912803457",
            "912803457_", "XY9237027", "X7923702", "a 91280345 b", "\u0663912803457", "91280345\u0663", "\u00E9912803457",
            "912803457\u00E9", "X79237027 912803457 Y12345678", "912803457912803457",
        ];
        var random = new Random(20261124);
        const string alphabet = "0123456789012345678901234567890123456789 -_.xX\u0663\u00E9";
        IEnumerable<string> all = windows.Concat(RewriteComparison.RandomStrings(random, alphabet, 5, 30, 100_000));
        Assert.That(RewriteComparison.Compare(IdentityDocumentDetector.PassportPattern(), IdentityDocumentDetector.NextPassport, all), Is.GreaterThan(2_000));
    }

    [Test]
    public void The_date_scanner_finds_what_the_date_pattern_finds()
    {
        string[] windows =
        [
            "", "DOB: 04/27/1983, passport 912803457.", "1983-04-27", "1983-4-7", "12.3.83", "1/2/2024", "123/4/2024", "1983/04/27",
            "x04/27/1983", "04/27/1983x", "/04/27/1983", ".04/27/1983", "-04/27/1983", "04/27/1983/", "04/27/1983-", "04/27/1983.",
            "27th of April 1983", "27 April, 1983", "April 27th, 1983", "Sept. 3 1990", "SEPTEMBER 3, 1990", "3 sep 1990", "MAY 3 1990",
            "junE 3rd 1990", "3 Janu 1990", "3\u00A0May 1990", "\u0663/4/2024", "3 \u017Fept 1990", "Ma\u0443 3 1990",
            "12/31/99 and 1/1/00", "born 4 July 1976 in", "on 2024-05-02.", "20240-05-02", "2024-05-02-",
        ];
        var random = new Random(20261125);
        IEnumerable<string> all = windows.Concat(Enumerable.Range(0, 100_000).Select(_ => RandomDateWindow(random)));
        Assert.That(RewriteComparison.Compare(IdentityDocumentDetector.DatePattern(), IdentityDocumentDetector.NextDate, all), Is.GreaterThan(10_000));
    }

    [Test]
    public void The_identity_document_scan_finds_what_the_previous_scan_found()
    {
        string[] texts =
        [
            "Customer DOB: 04/27/1983, passport 912803457.\nLogged in from 203.0.113.45",
            "name,date of birth,city\nAna,1983-04-27,Oslo\nBo,5/6/1990,Rome", "name;dob\n1983-04-27", "DOB\n1983-04-27, 1990-01-02",
            "My Colorado driver's license number is 14-585-1618, it expires", "DL: X1234567 and D.L. 123 456 789", "passport X79237027 and passport 665274760",
            "born 4 July 1976, born 5 July 1977, DOB 6/7/1978", "travel document 912803457912803457 travel doc 912803457",
        ];
        var random = new Random(20261126);
        IEnumerable<string> all = texts.Concat(Enumerable.Range(0, 20_000).Select(_ => RandomIdentityText(random)));
        var reference = new ReferenceIdentityDocumentDetector(passport: true, licence: true, birth: true);
        var detector = new IdentityDocumentDetector(passport: true, licence: true, birth: true);
        Assert.That(RewriteComparison.Compare(reference, detector, all), Is.GreaterThan(10_000), "the random texts must exercise the matching side too");
    }

    private static readonly string[] s_dateTokens =
    [
        "jan", "January", "FEB", "Mar", "march", "Apr", "April", "May", "jun", "June", "Jul", "JULY", "Aug", "August", "Sep", "Sept",
        "September", "Oct", "Nov", "Dec", "December", "Janu", "Mayo", "st", "nd", "rd", "th", "of", "x", "ab", "\u017Fept", "Ma\u0443",
    ];

    /// <summary>Dates of every shape (some broken) among numbers, month names and separators, some of them non-ASCII.</summary>
    private static string RandomDateWindow(Random random)
    {
        const string separators = "  //..--,_:\n\u00A0\u00E9";
        var text = new StringBuilder();
        for (int piece = random.Next(1, 8); piece > 0; piece--)
        {
            if (random.Next(3) > 0)
            {
                text.Append(separators[random.Next(separators.Length)]);
            }

            switch (random.Next(4))
            {
                case 0:
                    Digits(random, text, random.Next(1, 6));
                    break;
                case 1:
                    text.Append(s_dateTokens[random.Next(s_dateTokens.Length)]);
                    break;
                default:
                    RandomDate(random, text);
                    break;
            }
        }

        return text.ToString();
    }

    /// <summary>A date in one of the pattern's shapes, with a digit too many or too few now and then.</summary>
    private static void RandomDate(Random random, StringBuilder text)
    {
        string[] spaces = [" ", " ", "  ", "\u00A0", "\t"];
        string[] suffixes = ["", "", "st", "nd", "RD", "th"];
        string Space() => spaces[random.Next(spaces.Length)];
        string Month() => s_dateTokens[random.Next(21)];
        int Count(int n) => random.Next(8) == 0 ? Math.Max(1, n + random.Next(-1, 2)) : n;
        switch (random.Next(4))
        {
            case 0:
                Digits(random, text, Count(4)).Append('-');
                Digits(random, text, Count(random.Next(1, 3))).Append('-');
                Digits(random, text, Count(random.Next(1, 3)));
                break;
            case 1:
                char separator = "/.-"[random.Next(3)];
                Digits(random, text, Count(random.Next(1, 3))).Append(separator);
                Digits(random, text, Count(random.Next(1, 3))).Append(random.Next(8) == 0 ? '/' : separator);
                Digits(random, text, Count(random.Next(2) == 0 ? 2 : 4));
                break;
            case 2:
                Digits(random, text, Count(random.Next(1, 3))).Append(suffixes[random.Next(suffixes.Length)]);
                text.Append(random.Next(3) == 0 ? Space() + "of" : "").Append(Space()).Append(Month());
                text.Append(random.Next(3) == 0 ? "." : "").Append(random.Next(3) == 0 ? "," : "").Append(Space());
                Digits(random, text, Count(4));
                break;
            default:
                text.Append(Month()).Append(random.Next(3) == 0 ? "." : "").Append(Space());
                Digits(random, text, Count(random.Next(1, 3))).Append(suffixes[random.Next(suffixes.Length)]);
                text.Append(random.Next(2) == 0 ? "," : "").Append(Space());
                Digits(random, text, Count(4));
                break;
        }
    }

    /// <summary>Appends <paramref name="count"/> digits, now and then an Arabic-Indic one.</summary>
    private static StringBuilder Digits(Random random, StringBuilder text, int count)
    {
        for (int k = 0; k < count; k++)
        {
            text.Append(random.Next(40) == 0 ? '\u0663' : (char)('0' + random.Next(10)));
        }

        return text;
    }

    private static readonly string[] s_identityTokens =
    [
        "passport", "Passport No", "travel document", "driver's license", "DRIVING LICENCE", "license #", "dl#", "DL", "D.L", "lic. no",
        "date of birth", "DOB", "d.o.b", "born", "Birthday", "birth_date", "geboren", "fecha de nacimiento", "name,dob,city\n",
        "912803457", "X79237027", "14-585-1618", "P5841347", "123 456 789", "04/27/1983", "1983-04-27", "4 July 1976", "July 4th, 1976",
        "5/6/90", "2024-05-02", "the", "number", "is", "and", "\u0663\u0663", "\u00E9t\u00E9", "12", "123456", "x",
    ];

    /// <summary>Key words, document numbers, dates and filler in random order, joined by spaces, punctuation or nothing.</summary>
    private static string RandomIdentityText(Random random)
    {
        const string separators = "    ,.:;-_/\n";
        var text = new StringBuilder();
        for (int piece = random.Next(2, 14); piece > 0; piece--)
        {
            text.Append(s_identityTokens[random.Next(s_identityTokens.Length)]);
            if (random.Next(6) > 0)
            {
                text.Append(separators[random.Next(separators.Length)]);
            }
        }

        return text.ToString();
    }

    /// <summary>
    /// Wallets (valid, with one character changed, with a letter's case flipped, cut short or run on), runs of letters and
    /// digits after the start of an address, and numbers, joined by the characters that start or end a token or not.
    /// </summary>
    private static string RandomWalletText(Random random)
    {
        const string separators = "  \n/+=.-_:,x7\u00E9\u0663\u017F\u212A\u00A0";
        const string alphaNum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        string[] starts = ["0x", "0X", "1", "3", "bc1", "tb1", "BC1", "bC1", "0", "b1", "c1"];
        var text = new StringBuilder();
        for (int piece = random.Next(1, 6); piece > 0; piece--)
        {
            if (random.Next(4) > 0)
            {
                text.Append(separators[random.Next(separators.Length)]);
            }

            int kind = random.Next(10);
            if (kind < 6)
            {
                char[] wallet = s_wallets[random.Next(s_wallets.Length)].ToCharArray();
                int at = random.Next(wallet.Length);
                switch (kind)
                {
                    case 1:
                        wallet[at] = alphaNum[random.Next(alphaNum.Length)];
                        break;
                    case 2:
                        wallet[at] = char.IsAsciiLetterLower(wallet[at]) ? char.ToUpperInvariant(wallet[at]) : char.ToLowerInvariant(wallet[at]);
                        break;
                    case 3:
                        wallet = wallet[..Math.Max(1, at)];
                        break;
                }

                text.Append(wallet);
                if (kind == 4)
                {
                    text.Append(alphaNum[random.Next(alphaNum.Length)]);
                }
            }
            else if (kind < 9)
            {
                text.Append(starts[random.Next(starts.Length)]);
                for (int n = random.Next(15, 45); n > 0; n--)
                {
                    text.Append(alphaNum[random.Next(alphaNum.Length)]);
                }
            }
            else
            {
                text.Append(random.Next(0, 100_000));
            }
        }

        return text.ToString();
    }
}
