import { Outlet } from 'react-router';
import { AuthFrame } from '../features/auth/AuthFrame';
import { useAuth } from './auth';
import { Layout } from './Layout';

/**
 * Pages anyone may open (privacy policy, contact): inside the app's frame
 * when signed in, in the signed-out frame otherwise.
 */
export function PublicLayout() {
  const { signedIn } = useAuth();
  if (signedIn) return <Layout />;
  return (
    <AuthFrame>
      <Outlet />
    </AuthFrame>
  );
}
