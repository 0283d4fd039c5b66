using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Userlist.Core.Configuration;
using Userlist.Core.Storage;

namespace Userlist.Dashboard.Operations;

/// <summary>
/// What must hold before the relay opens anything: every setting binds and validates, and no other
/// relay process is on this database. When one fails, the operator gets one line on stderr saying
/// which and why, and exit code 1, instead of an unhandled exception's stack trace.
/// </summary>
public static partial class StartChecks
{
    /// <returns>False when the relay must not start (the reason is written already).</returns>
    public static bool PassesStartChecks(this WebApplication app)
    {
        try
        {
            // Where the database is, first; then the lock (on SQLite), before validating the other
            // options reads the settings saved in the database.
            _ = app.Services.GetRequiredService<IOptions<StorageOptions>>().Value;
            app.Services.GetService<IProcessLock>()?.Acquire();
            // The same validation the host runs at start, earlier: Hangfire's dashboard mapping opens its storage before that.
            app.Services.GetService<IStartupValidator>()?.Validate();
            return true;
        }
        catch (Exception failure) when (Explain(failure) is { } reason && RelayIsTheProcess())
        {
            Console.Error.WriteLine($"Userlist Relay did not start: {reason}");
            return false;
        }
    }

    /// <summary>One line for a refusal that is the operator's to fix; null for anything else (a bug keeps its stack trace).</summary>
    private static string? Explain(Exception failure) => failure switch
    {
        OptionsValidationException invalid => string.Join("; ", invalid.Failures.Select(OwnMessage).Distinct()),
        // The configuration binder's "Failed to convert configuration value at 'Key' to type ...".
        InvalidOperationException binding when binding.InnerException is not null => binding.Message,
        DatabaseInUseException inUse => inUse.Message,
        AggregateException several when several.InnerExceptions.Select(Explain).ToList() is var reasons && reasons.All(r => r is not null) =>
            string.Join("; ", reasons),
        _ => null,
    };

    /// <summary>Our validation messages name the key; the data-annotations wrapper around them only names the class.</summary>
    private static string OwnMessage(string failure) =>
        DataAnnotationsFailure().Match(failure) is { Success: true } match ? match.Groups["message"].Value : failure;

    [GeneratedRegex("^DataAnnotation validation failed for '[^']*' members: '[^']*' with the error: '(?<message>.*)'\\.$")]
    private static partial Regex DataAnnotationsFailure();

    /// <summary>Hosted in a test process, the exception goes on to the test that started the relay.</summary>
    private static bool RelayIsTheProcess() => Assembly.GetEntryAssembly() == typeof(StartChecks).Assembly;
}
