using Microsoft.Extensions.Hosting;

namespace Userlist.Core.Ingest;

/// <summary>Writes the refused-ingest counts and their log line once a minute, and once more at a planned stop.</summary>
internal sealed class RefusedIngestFlusher(IngestRefusals refusals, TimeProvider time) : BackgroundService
{
    private static readonly TimeSpan Period = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await refusals.FlushAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // A planned stop: the last counts are written in StopAsync.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await refusals.FlushAsync(cancellationToken);
    }
}
