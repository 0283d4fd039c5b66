namespace Userlist.Core.Storage;

/// <summary>
/// The dispatcher's claim on due calls. Each provider finds them its fastest way; what is claimed is
/// the same: the oldest due calls (Pending, or Retrying past their time), in the order received, none
/// of a user whose earlier call is Delivering or Retrying, each marked Delivering under the token
/// until the lease ends.
/// </summary>
public interface ICallClaims
{
    /// <summary>Claims up to <paramref name="size"/> calls for the run <paramref name="token"/>; returns them in Id order.</summary>
    Task<List<Message>> ClaimAsync(string token, DateTime nowUtc, DateTime leaseUntilUtc, int size, CancellationToken cancellationToken);
}
