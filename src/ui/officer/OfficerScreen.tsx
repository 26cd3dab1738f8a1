export function OfficerScreen() {
  const signedIn = location.hash.startsWith('#token=');
  return (
    <main>
      <h1>Officer</h1>
      <p>{signedIn ? 'Sign-in link received.' : 'Open the sign-in link your station administrator gave you.'}</p>
    </main>
  );
}
