using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace LlmRouting.Redis.Tests;

/// <summary>
/// A real redis-server process on a free loopback port, for tests. Never skipped: when redis-server is missing the
/// tests fail with a message saying how to install it (<c>bash .ci/redis.sh</c>, which <c>bash .ci/test.sh</c> runs).
/// </summary>
internal sealed class RedisServer : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("llmrouting-redis-").FullName;
    private Process? _process;

    private RedisServer(int port) => Port = port;

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port},abortConnect=false,connectTimeout=1000,syncTimeout=1000,asyncTimeout=1000";

    public bool IsRunning => _process is { HasExited: false };

    public static RedisServer Start()
    {
        var server = new RedisServer(FreePort());
        server.Restart();
        return server;
    }

    /// <summary>Starts (or starts again, on the same port) the server and waits until it answers PING.</summary>
    public void Restart()
    {
        if (IsRunning)
        {
            return;
        }

        string executable = FindExecutable()
            ?? throw new InvalidOperationException("redis-server is not installed. Run `bash .ci/redis.sh` (the README's test command `bash .ci/test.sh` does this first).");
        var info = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _directory,
        };
        foreach (string arg in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", _directory, "--loglevel", "warning" })
        {
            info.ArgumentList.Add(arg);
        }

        _process = Process.Start(info) ?? throw new InvalidOperationException("redis-server did not start.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited with code {_process.ExitCode} while starting on port {Port}.");
            }

            if (Ping())
            {
                return;
            }

            Thread.Sleep(20);
        }

        throw new InvalidOperationException($"redis-server did not answer PING on 127.0.0.1:{Port} within 10 s.");
    }

    /// <summary>Kills the server (simulates Redis becoming unavailable).</summary>
    public void Stop()
    {
        if (_process is { HasExited: false } p)
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit(5000);
        }

        _process?.Dispose();
        _process = null;
    }

    public void Dispose()
    {
        Stop();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private bool Ping()
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, Port);
            using NetworkStream stream = client.GetStream();
            stream.Write("PING\r\n"u8);
            var buffer = new byte[16];
            int n = stream.Read(buffer);
            return Encoding.ASCII.GetString(buffer, 0, n).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string? FindExecutable()
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Append("/usr/bin").Append("/usr/local/bin"))
        {
            string candidate = Path.Combine(dir, "redis-server");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
