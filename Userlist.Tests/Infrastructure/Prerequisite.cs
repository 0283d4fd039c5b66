namespace Userlist.Tests.Infrastructure;

/// <summary>
/// Something a test needs from the machine (a browser, node, PostgreSQL). Without it the test is
/// skipped with instructions, except under CI=true, where everything must be installed and its
/// absence is a failure.
/// </summary>
public static class Prerequisite
{
    /// <param name="problem">What is missing and how to install it; null when all is there.</param>
    /// <param name="needed">What CI needs, for the failure ("a browser").</param>
    public static void SkipOrFailIfMissing(string? problem, string needed)
    {
        if (problem is null)
        {
            return;
        }

        if (Environment.GetEnvironmentVariable("CI") == "true")
        {
            Assert.Fail($"CI needs {needed}: {problem}");
        }

        Skip.If(true, $"Skipped: {problem}");
    }
}
