using System.Net.Http.Json;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Userlist.Core.Alerts;

/// <summary>The outcome of one attempt to send an alert; the error names neither the address nor a credential.</summary>
public sealed record AlertSendResult(bool Sent, string? Error)
{
    public static readonly AlertSendResult Ok = new(true, null);

    public static AlertSendResult Failed(string error) => new(false, error.Length > 300 ? error[..300] : error);
}

/// <summary>
/// Posts an alert to a webhook as JSON with a Slack-compatible <c>text</c> (Slack, Mattermost,
/// Teams workflows and most chat tools take it). Its HttpClient logs nothing: the URL is a secret.
/// </summary>
public sealed class WebhookAlerts(HttpClient http)
{
    public async Task<AlertSendResult> SendAsync(string url, string text, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.PostAsJsonAsync(url, new { text }, cancellationToken);
            return response.IsSuccessStatusCode
                ? AlertSendResult.Ok
                : AlertSendResult.Failed($"the webhook answered {(int)response.StatusCode} {response.ReasonPhrase}");
        }
        catch (HttpRequestException exception)
        {
            // The message may name the address; the kind of failure is enough to act on.
            return AlertSendResult.Failed($"could not reach the webhook ({exception.HttpRequestError})");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return AlertSendResult.Failed($"the webhook did not answer within {http.Timeout.TotalSeconds:0} s");
        }
    }
}

/// <summary>Sends an alert by email over SMTP with MailKit.</summary>
public sealed class EmailAlerts
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    public async Task<AlertSendResult> SendAsync(EmailChannel email, string text, CancellationToken cancellationToken)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(email.From));
        message.To.AddRange(InternetAddressList.Parse(email.To));
        message.Subject = text.Split('\n', 2)[0];
        message.Body = new TextPart("plain") { Text = text };

        using var client = new SmtpClient { Timeout = (int)Timeout.TotalMilliseconds };
        var security = !email.UseTls ? SecureSocketOptions.None
            : email.Port == 465 ? SecureSocketOptions.SslOnConnect
            : SecureSocketOptions.StartTls;
        try
        {
            await client.ConnectAsync(email.Host, email.Port, security, cancellationToken);
            if (email.User.Length > 0)
            {
                await client.AuthenticateAsync(email.User, email.Password, cancellationToken);
            }

            await client.SendAsync(message, cancellationToken);
            await client.DisconnectAsync(quit: true, cancellationToken);
            return AlertSendResult.Ok;
        }
        catch (Exception exception) when (exception is IOException or System.Net.Sockets.SocketException or ProtocolException
            or CommandException or AuthenticationException or SslHandshakeException or TimeoutException)
        {
            // MailKit's messages carry the server's reply, never the password; the password is taken out all the same.
            var reason = email.Password.Length > 0 ? exception.Message.Replace(email.Password, "•••", StringComparison.Ordinal) : exception.Message;
            return AlertSendResult.Failed($"the mail server refused or could not be reached: {reason}");
        }
    }
}
