using Hangfire.AspNetCore;
using Hangfire.Logging;

namespace Userlist.Dashboard.Jobs;

/// <summary>
/// Hangfire logs through one process-wide provider (a static), set by the host that configured it
/// last. When several hosts share a process (the tests run many, one after another), that host may
/// already be stopped and its logger factory disposed: Hangfire's logging then threw inside the
/// storage and workers of the hosts still running. Here a stopped host's loggers just stay quiet.
/// Hangfire's Information lines are its own housekeeping (about thirty per start and stop: options,
/// dispatchers, expired records); they go to Debug, and its warnings and errors stay as they are.
/// </summary>
internal sealed class HostBoundHangfireLogs(ILoggerFactory loggers) : ILogProvider
{
    private readonly AspNetCoreLogProvider provider = new(loggers);

    public ILog GetLogger(string name)
    {
        try
        {
            return new QuietWhenStopped(provider.GetLogger(name));
        }
        catch (ObjectDisposedException)
        {
            return new QuietWhenStopped(null);
        }
    }

    private sealed class QuietWhenStopped(ILog? log) : ILog
    {
        public bool Log(Hangfire.Logging.LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null)
        {
            try
            {
                var level = logLevel == Hangfire.Logging.LogLevel.Info ? Hangfire.Logging.LogLevel.Debug : logLevel;
                return log?.Log(level, messageFunc, exception) ?? false;
            }
            catch (ObjectDisposedException)
            {
                return false;
            }
        }
    }
}
