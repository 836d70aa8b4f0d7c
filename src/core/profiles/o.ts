// Django-OAuth-Toolkit clients (dialect `o`): the standard claims, but opaque tokens by
// default, as DOT issues them (its documented sample is a 30-character random string).
import type { ClaimProfile } from './index.js';
import { standardProfile } from './standard.js';

export const oProfile: ClaimProfile = { ...standardProfile, defaultFormat: 'opaque' };
