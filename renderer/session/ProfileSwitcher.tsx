import { useEffect, useId, useRef, useState } from 'react';
import type { ProfileSummary } from '../../shared/rpc/contract';
import { sentence } from '../components/text';
import { asRpcError } from '../rpc/rpc-response';
import { switchProfile, useProfiles } from './profiles';
import './profile-switcher.css';

/**
 * The top bar's switch between the console profiles of this data folder: shown only where there
 * is more than one (the demo keeps one per member). Choosing one locks the console and opens the
 * unlock screen for it: each profile is unlocked with its own passphrase.
 */
export function ProfileSwitcher({ current }: { current: ProfileSummary }) {
  const profiles = useProfiles();
  const [open, setOpen] = useState(false);
  const [switching, setSwitching] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const root = useRef<HTMLDivElement>(null);
  const toggle = useRef<HTMLButtonElement>(null);
  const panelId = useId();

  useEffect(() => {
    if (!open) return;
    const closeOutside = (event: MouseEvent) => {
      if (!root.current?.contains(event.target as Node)) setOpen(false);
    };
    const closeOnEscape = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      setOpen(false);
      toggle.current?.focus();
    };
    document.addEventListener('mousedown', closeOutside);
    document.addEventListener('keydown', closeOnEscape);
    return () => {
      document.removeEventListener('mousedown', closeOutside);
      document.removeEventListener('keydown', closeOnEscape);
    };
  }, [open]);

  if (!profiles || profiles.length < 2) return null;
  // The profile signed in first, then the others by name, as listed.
  const ordered = [
    ...profiles.filter((p) => p.memberId === current.memberId),
    ...profiles.filter((p) => p.memberId !== current.memberId),
  ];

  const choose = async (memberId: string) => {
    setSwitching(memberId);
    setError(null);
    try {
      await switchProfile(memberId);
    } catch (failure) {
      setError(sentence(asRpcError(failure).message));
      setSwitching(null);
    }
  };

  return (
    <div className="profile-switcher" ref={root}>
      <button
        ref={toggle}
        type="button"
        className="button-secondary button-small"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen(!open)}
      >
        Switch profile
      </button>
      {open && (
        <div id={panelId} className="profile-switcher-panel" role="group" aria-label="Profiles">
          <p className="profile-switcher-note">
            Profiles in this data folder. Switching locks the console: the profile you choose is
            unlocked with its own passphrase.
          </p>
          <ul>
            {ordered.map((profile) => {
              const isCurrent = profile.memberId === current.memberId;
              return (
                <li key={profile.memberId}>
                  <button
                    type="button"
                    className="profile-switcher-item"
                    data-profile-member={profile.memberId}
                    aria-current={isCurrent ? 'true' : undefined}
                    disabled={isCurrent || switching !== null}
                    onClick={() => void choose(profile.memberId)}
                  >
                    <span className="profile-switcher-name">{profile.memberName}</span>
                    <span className="profile-switcher-kind">
                      {isCurrent
                        ? 'signed in'
                        : switching === profile.memberId
                          ? 'switching…'
                          : (profile.kind ?? 'not a member of this chain')}
                    </span>
                  </button>
                </li>
              );
            })}
          </ul>
          {error && (
            <p className="field-error" role="alert">
              {error}
            </p>
          )}
        </div>
      )}
    </div>
  );
}
