/** How an operator's forced leave of a session goes (SignalingService.kick, SignalingRelay.forwardKick). */
export interface KickOptions {
  /** Also close the peer's socket (all its rooms end with reason `kicked`). */
  disconnect?: boolean;
}
